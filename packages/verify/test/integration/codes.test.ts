/**
 * One test per error code the verifier can produce and one per near-miss hint, each through
 * `createVerifier(...).verify(token)` with a real signed token, asserting the whole contract:
 * code, check, expected, actual, hint and message. The last tests fail when a code or a hint
 * is added without a test here.
 */
import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import {
  codes,
  createVerifier,
  type ErrorCode,
  errorCodes,
  type HintId,
  hintIds,
  MemoryReplayStore,
  type ShownValue,
  TesseraError,
  type Verifier,
  type VerifierOptions,
} from '../../src/index.ts'
import { generateTestKey, jwksOf, signJwt, type TestKey } from '../support/token-factory.ts'

// 2027-01-15T08:00:00Z
const now = 1_800_000_000
const idp = 'https://idp.example.com'
const api = 'https://api.example.com'

/**
 * Codes the verifier does not produce from a token alone: the JWKS client's (loopback suites),
 * configuration loading's, and the server's policy, request and attestation codes. Each is
 * asserted by its own part's tests; tools/codes-tested.test.ts checks that every code is.
 */
const coveredElsewhere: readonly ErrorCode[] = errorCodes.filter((code) =>
  [
    'jwks',
    'discovery',
    'config',
    'policy',
    'request',
    'attestation',
    'internal',
    // Request-level codes (verifyRequest): src/verifier/verify-request.test.ts, src/dpop/,
    // src/binding/, src/authorize/ and the adapters' suites in test/adapters/.
    'dpop',
    'binding',
    'request_policy',
    'delegation',
    // SAML, metadata, doctor key / doctor cloud findings, the client and the agent: their parts' suites.
    'saml',
    'metadata',
    'key_file',
    'cloud_drift',
    'transport',
    'delivery',
  ].includes(codes[code].check),
)

interface Contract {
  readonly code: ErrorCode
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
  readonly message: string
}

function assertContract(error: unknown, want: Contract): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
  const { code, check, expected, actual, hint } = error
  const { message, ...fields } = want
  assert.deepEqual({ code, check, expected, actual, hint }, fields)
  assert.equal(error.message, message)
}

/** Verifies `token` and returns the rejection. */
async function rejectionOf(verifier: Verifier, token: string): Promise<unknown> {
  try {
    await verifier.verify(token)
  } catch (error) {
    return error
  }
  return assert.fail('expected verify() to reject')
}

const testedCodes = new Set<ErrorCode>()
const testedHints = new Set<HintId>()

/** A test named after `code`, registered so the completeness test can see it. */
function codeTest(code: ErrorCode, title: string, body: () => Promise<TesseraError>): void {
  testedCodes.add(code)
  it(`${code}: ${title}`, async () => {
    const error = await body()
    assert.equal(error.code, code)
  })
}

/** A test named after `hint`, registered so the completeness test can see it. */
function hintTest(hint: HintId, title: string, body: () => Promise<TesseraError>): void {
  testedHints.add(hint)
  it(`${hint}: ${title}`, async () => {
    const error = await body()
    assert.equal(error.hint, hint)
  })
}

const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: idp,
  sub: 'workload',
  aud: api,
  iat: now - 10,
  exp: now + 300,
  jti: 'jti-1',
  ...extra,
})

let es256: TestKey
let rs256: TestKey
let stranger: TestKey

before(() => {
  es256 = generateTestKey('ES256', 'es256-1')
  rs256 = generateTestKey('RS256', 'rs256-1')
  stranger = generateTestKey('ES256', 'es256-1')
})

const verifier = (extra: Partial<VerifierOptions> = {}): Verifier =>
  createVerifier({
    issuers: [{ issuer: idp, jwks: jwksOf(es256, rs256) }],
    audience: api,
    clock: () => now,
    ...extra,
  })

/** Signs `claims()` with the ES256 key, merging `extra` claims and `header`. */
const token = (extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}): string =>
  signJwt(es256, claims(extra), header)

describe('every error code through verify()', () => {
  codeTest('malformed', 'a token without its signature segment', async () => {
    const full = token()
    const error = await rejectionOf(verifier(), full.slice(0, full.lastIndexOf('.')))
    assertContract(error, {
      code: 'malformed',
      check: 'decode',
      expected: undefined,
      actual: undefined,
      hint: undefined,
      message: 'token has 2 segments, expected 3 (header.payload.signature)',
    })
    return error
  })

  codeTest('too_large', 'a token longer than maxTokenBytes', async () => {
    const big = token({ padding: 'x'.repeat(600) })
    const error = await rejectionOf(verifier({ maxTokenBytes: 512 }), big)
    assertContract(error, {
      code: 'too_large',
      check: 'decode',
      expected: '<= 512 bytes',
      actual: `${big.length} bytes`,
      hint: undefined,
      message: `token is ${big.length} bytes, more than the limit of 512`,
    })
    return error
  })

  codeTest('alg_not_allowed', 'an RS256 token from an issuer allowed only ES256', async () => {
    const v = verifier({
      issuers: [{ issuer: idp, jwks: jwksOf(es256, rs256), algorithms: ['ES256'] }],
    })
    const error = await rejectionOf(v, signJwt(rs256, claims()))
    assertContract(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['ES256'],
      actual: 'RS256',
      hint: undefined,
      message:
        'alg "RS256" is not one of ["ES256"]: the issuer "https://idp.example.com" allows ["ES256"]',
    })
    return error
  })

  codeTest('key_type_mismatch', 'an RS256 token naming the kid of an EC key', async () => {
    const error = await rejectionOf(verifier(), signJwt(rs256, claims(), { kid: 'es256-1' }))
    assertContract(error, {
      code: 'key_type_mismatch',
      check: 'key',
      expected: 'ES256',
      actual: 'RS256',
      hint: undefined,
      message: 'key "es256-1" cannot verify RS256: RS256 needs an RSA key, the key is EC',
    })
    return error
  })

  codeTest('unknown_key', 'a kid the key set does not hold', async () => {
    const error = await rejectionOf(verifier(), token({}, { kid: 'rotated-away' }))
    assertContract(error, {
      code: 'unknown_key',
      check: 'key',
      expected: ['es256-1', 'rs256-1'],
      actual: 'rotated-away',
      hint: undefined,
      message: 'kid "rotated-away" is not one of ["es256-1", "rs256-1"] in https://idp.example.com',
    })
    return error
  })

  codeTest('bad_signature', 'a token signed by another key with the same kid', async () => {
    const error = await rejectionOf(verifier(), signJwt(stranger, claims()))
    assertContract(error, {
      code: 'bad_signature',
      check: 'signature',
      expected: 'a valid ES256 signature',
      actual: '64-byte signature that does not verify',
      hint: undefined,
      message:
        'ES256 signature does not verify with key "es256-1": the token was altered or signed by a different key',
    })
    return error
  })

  codeTest('issuer_unknown', 'an iss that names no trusted issuer', async () => {
    const error = await rejectionOf(verifier(), token({ iss: 'https://evil.example.net' }))
    assertContract(error, {
      code: 'issuer_unknown',
      check: 'issuer',
      expected: [idp],
      actual: 'https://evil.example.net',
      hint: undefined,
      message:
        'iss "https://evil.example.net" is not one of the trusted issuers ["https://idp.example.com"]',
    })
    return error
  })

  codeTest('issuer_mismatch', 'an iss that is a near miss of the trusted issuer', async () => {
    const error = await rejectionOf(verifier(), token({ iss: `${idp}/` }))
    assertContract(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: `${idp}/`,
      hint: 'trailing_slash',
      message:
        'iss "https://idp.example.com/" is not "https://idp.example.com": the values differ only by a trailing slash',
    })
    return error
  })

  codeTest('audience_mismatch', 'a token issued for another audience', async () => {
    const error = await rejectionOf(verifier(), token({ aud: 'https://other.example.org' }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://other.example.org'],
      hint: 'forwarded',
      message:
        'aud "https://other.example.org" is not one of ["https://api.example.com"]: the token was issued for "https://other.example.org", not for this service; exchange it for this service (RFC 8693 token exchange) instead of forwarding it',
    })
    return error
  })

  codeTest('expired', 'a token that expired an hour ago', async () => {
    const error = await rejectionOf(verifier(), token({ iat: now - 7200, exp: now - 3600 }))
    assertContract(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:00:00Z',
      hint: undefined,
      message: 'exp 2027-01-15T07:00:00Z is 1 h before now 2027-01-15T08:00:00Z (leeway 60 s)',
    })
    return error
  })

  codeTest('not_yet_valid', 'a token whose nbf is an hour ahead', async () => {
    const error = await rejectionOf(verifier(), token({ nbf: now + 3600, exp: now + 7200 }))
    assertContract(error, {
      code: 'not_yet_valid',
      check: 'not_before',
      expected: 'nbf at or before 2027-01-15T08:01:00Z',
      actual: 'nbf 2027-01-15T09:00:00Z',
      hint: undefined,
      message: 'nbf 2027-01-15T09:00:00Z is 1 h after now 2027-01-15T08:00:00Z (leeway 60 s)',
    })
    return error
  })

  codeTest('issued_in_future', 'a token whose iat is an hour ahead', async () => {
    const error = await rejectionOf(verifier(), token({ iat: now + 3600, exp: now + 7200 }))
    assertContract(error, {
      code: 'issued_in_future',
      check: 'issued_at',
      expected: 'iat at or before 2027-01-15T08:01:00Z',
      actual: 'iat 2027-01-15T09:00:00Z',
      hint: undefined,
      message: 'iat 2027-01-15T09:00:00Z is 1 h after now 2027-01-15T08:00:00Z (leeway 60 s)',
    })
    return error
  })

  codeTest('lifetime_exceeded', 'a two-hour token where one hour is the maximum', async () => {
    const error = await rejectionOf(
      verifier({ maxLifetime: 3600 }),
      token({ iat: now, exp: now + 7200 }),
    )
    assertContract(error, {
      code: 'lifetime_exceeded',
      check: 'lifetime',
      expected: '<= 3600 s',
      actual: '7200 s',
      hint: undefined,
      message: 'lifetime exp - iat is 2 h, more than the maximum of 1 h',
    })
    return error
  })

  codeTest(
    'token_too_old',
    'a token minted an hour ago where ten minutes is the maximum',
    async () => {
      const error = await rejectionOf(
        verifier({ maxTokenAge: 600 }),
        token({ iat: now - 3600, exp: now + 300 }),
      )
      assertContract(error, {
        code: 'token_too_old',
        check: 'token_age',
        expected: '<= 600 s',
        actual: '3600 s',
        hint: undefined,
        message: 'token was issued 1 h ago, more than the maximum age of 10 min (leeway 60 s)',
      })
      return error
    },
  )

  codeTest('missing_claim', 'a token without a required claim', async () => {
    const error = await rejectionOf(verifier({ requiredClaims: ['tenant'] }), token())
    assertContract(error, {
      code: 'missing_claim',
      check: 'claims',
      expected: ['tenant'],
      actual: ['iss', 'sub', 'aud', 'iat', 'exp', 'jti'],
      hint: undefined,
      message: 'claim "tenant" is required but missing',
    })
    return error
  })

  codeTest('subject_mismatch', 'a token for another workload', async () => {
    const v = verifier({ subject: 'system:serviceaccount:payments:api' })
    const error = await rejectionOf(v, token({ sub: 'system:serviceaccount:billing:worker' }))
    assertContract(error, {
      code: 'subject_mismatch',
      check: 'subject',
      expected: ['system:serviceaccount:payments:api'],
      actual: 'system:serviceaccount:billing:worker',
      hint: undefined,
      message:
        'sub "system:serviceaccount:billing:worker" is not one of ["system:serviceaccount:payments:api"]',
    })
    return error
  })

  codeTest('typ_mismatch', 'a DPoP proof presented as a token', async () => {
    const error = await rejectionOf(verifier(), token({}, { typ: 'dpop+jwt' }))
    assertContract(error, {
      code: 'typ_mismatch',
      check: 'typ',
      expected: 'JWT or at+jwt or absent',
      actual: 'dpop+jwt',
      hint: undefined,
      message: 'typ "dpop+jwt" marks another kind of JWT, which is never accepted as a token here',
    })
    return error
  })

  codeTest('crit_unsupported', 'a header marking an extension critical', async () => {
    const error = await rejectionOf(verifier(), token({}, { crit: ['exp'], exp: now + 300 }))
    assertContract(error, {
      code: 'crit_unsupported',
      check: 'crit',
      expected: [],
      actual: ['exp'],
      hint: undefined,
      message: 'header crit ["exp"] names extensions this verifier does not implement',
    })
    return error
  })

  codeTest('replay', 'the same single-use token presented twice', async () => {
    const v = verifier({ replay: new MemoryReplayStore({ clock: () => now }) })
    const once = token()
    await v.verify(once)
    const error = await rejectionOf(v, once)
    assertContract(error, {
      code: 'replay',
      check: 'replay',
      expected: 'a jti not seen before',
      actual: 'jti-1',
      hint: undefined,
      message: 'jti "jti-1" was already accepted once: this token is single-use',
    })
    return error
  })

  codeTest('invalid_options', 'createVerifier with no issuers and a leeway too large', async () => {
    let thrown: unknown
    try {
      createVerifier({ issuers: [], audience: api, leeway: 600 })
    } catch (error) {
      thrown = error
    }
    assertContract(thrown, {
      code: 'invalid_options',
      check: 'options',
      expected: undefined,
      actual: undefined,
      hint: undefined,
      message:
        'verifier options are invalid: leeway must be at most 300 seconds; a larger tolerance hides broken clocks; issuers must be a non-empty array of trusted issuers',
    })
    assert.deepEqual(thrown.problems, [
      {
        path: 'leeway',
        message: 'must be at most 300 seconds; a larger tolerance hides broken clocks',
      },
      { path: 'issuers', message: 'must be a non-empty array of trusted issuers' },
    ])
    return thrown
  })
})

describe('every near-miss hint through verify()', () => {
  hintTest('trailing_slash', 'aud with a trailing slash', async () => {
    const error = await rejectionOf(verifier(), token({ aud: `${api}/` }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: [`${api}/`],
      hint: 'trailing_slash',
      message:
        'aud "https://api.example.com/" is not one of ["https://api.example.com"]: the values differ only by a trailing slash',
    })
    return error
  })

  hintTest('case', 'iss with an upper-case host', async () => {
    const error = await rejectionOf(verifier(), token({ iss: 'https://IDP.example.com' }))
    assertContract(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: 'https://IDP.example.com',
      hint: 'case',
      message:
        'iss "https://IDP.example.com" is not "https://idp.example.com": the values differ only by letter case (in the host)',
    })
    return error
  })

  hintTest('scheme', 'iss over http instead of https', async () => {
    const error = await rejectionOf(verifier(), token({ iss: 'http://idp.example.com' }))
    assertContract(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: 'http://idp.example.com',
      hint: 'scheme',
      message:
        'iss "http://idp.example.com" is not "https://idp.example.com": the values differ only by scheme ("http" instead of "https")',
    })
    return error
  })

  hintTest('whitespace', 'sub with a trailing newline', async () => {
    const sa = 'system:serviceaccount:payments:api'
    const error = await rejectionOf(verifier({ subject: sa }), token({ sub: `${sa}\n` }))
    assertContract(error, {
      code: 'subject_mismatch',
      check: 'subject',
      expected: [sa],
      actual: `${sa}\n`,
      hint: 'whitespace',
      message:
        'sub "system:serviceaccount:payments:api\\n" is not one of ["system:serviceaccount:payments:api"]: the values differ only by whitespace (the token\'s value has a trailing newline)',
    })
    return error
  })

  hintTest('environment', 'aud naming the staging deployment', async () => {
    const error = await rejectionOf(verifier(), token({ aud: 'https://api.staging.example.com' }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://api.staging.example.com'],
      hint: 'environment',
      message:
        'aud "https://api.staging.example.com" is not one of ["https://api.example.com"]: the values differ only by environment ("staging" instead of none)',
    })
    return error
  })

  hintTest('path', 'aud with another path on the same origin', async () => {
    const v = verifier({ audience: 'https://api.example.com/v2' })
    const error = await rejectionOf(v, token({ aud: 'https://api.example.com/v1' }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: ['https://api.example.com/v2'],
      actual: ['https://api.example.com/v1'],
      hint: 'path',
      message:
        'aud "https://api.example.com/v1" is not one of ["https://api.example.com/v2"]: same origin, different path ("/v1" instead of "/v2")',
    })
    return error
  })

  hintTest('forwarded', "another service's token, forwarded instead of exchanged", async () => {
    const v = verifier({ audience: 'https://orders.example.com' })
    const error = await rejectionOf(v, token({ aud: 'https://payments.example.com' }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: ['https://orders.example.com'],
      actual: ['https://payments.example.com'],
      hint: 'forwarded',
      message:
        'aud "https://payments.example.com" is not one of ["https://orders.example.com"]: the token was issued for "https://payments.example.com", not for this service; exchange it for this service (RFC 8693 token exchange) instead of forwarding it',
    })
    return error
  })

  hintTest('clock_skew', 'a token expired 30 s beyond the leeway', async () => {
    const error = await rejectionOf(verifier(), token({ iat: now - 390, exp: now - 90 }))
    assertContract(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:58:30Z',
      hint: 'clock_skew',
      message:
        'exp 2027-01-15T07:58:30Z is 90 s before now 2027-01-15T08:00:00Z (leeway 60 s): 30 s beyond the leeway: this looks like clock skew between issuer and receiver',
    })
    return error
  })

  hintTest('clock_skew', 'a token whose nbf is 40 s beyond the leeway', async () => {
    const error = await rejectionOf(verifier(), token({ nbf: now + 100 }))
    assertContract(error, {
      code: 'not_yet_valid',
      check: 'not_before',
      expected: 'nbf at or before 2027-01-15T08:01:00Z',
      actual: 'nbf 2027-01-15T08:01:40Z',
      hint: 'clock_skew',
      message:
        'nbf 2027-01-15T08:01:40Z is 100 s after now 2027-01-15T08:00:00Z (leeway 60 s): 40 s beyond the leeway: this looks like clock skew between issuer and receiver',
    })
    return error
  })

  hintTest('clock_skew', 'a token whose iat is 140 s beyond the leeway', async () => {
    const error = await rejectionOf(verifier(), token({ iat: now + 200, exp: now + 500 }))
    assertContract(error, {
      code: 'issued_in_future',
      check: 'issued_at',
      expected: 'iat at or before 2027-01-15T08:01:00Z',
      actual: 'iat 2027-01-15T08:03:20Z',
      hint: 'clock_skew',
      message:
        'iat 2027-01-15T08:03:20Z is 3 min 20 s after now 2027-01-15T08:00:00Z (leeway 60 s): 140 s beyond the leeway: this looks like clock skew between issuer and receiver',
    })
    return error
  })

  hintTest('other_claim', 'the accepted audience appears in azp, not in aud', async () => {
    const error = await rejectionOf(verifier(), token({ aud: 'client-123', azp: api }))
    assertContract(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['client-123'],
      hint: 'other_claim',
      message:
        'aud "client-123" is not one of ["https://api.example.com"]: "https://api.example.com" appears in claim "azp", not in aud',
    })
    return error
  })
})

describe('completeness', () => {
  it('has a test here for every code, except those covered by another suite', () => {
    assert.deepEqual(new Set([...testedCodes, ...coveredElsewhere]), new Set(errorCodes))
  })

  it('has a test here for every hint', () => {
    assert.deepEqual(testedHints, new Set(hintIds))
  })
})
