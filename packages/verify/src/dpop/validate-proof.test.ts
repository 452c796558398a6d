import assert from 'node:assert/strict'
import { generateKeyPairSync, sign } from 'node:crypto'
import { describe, it } from 'node:test'
import { signWithHeader, steppableClock } from '../../test/support/token-factory.ts'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { jwkThumbprint } from '../keys/import-jwk.ts'
import { MemoryReplayStore } from '../replay/memory-replay-store.ts'
import type { ReplayStore } from '../replay/replay-store.ts'
import { type JwsAlgorithm, jwsAlgorithms } from '../token/algorithms.ts'
import { accessTokenHash } from './access-token-hash.ts'
import { createDpopProof } from './create-proof.ts'
import { generateDpopKeyPair } from './generate-key-pair.ts'
import { createDpopNonceSource } from './nonce-source.ts'
import type { DpopKeyPair, ResolvedDpopOptions } from './types.ts'
import { type ValidateDpopProofInput, validateDpopProof } from './validate-proof.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected?: ShownValue | undefined
  readonly actual?: ShownValue | undefined
  readonly hint?: HintId | undefined
}

async function rejection(
  input: Partial<ValidateDpopProofInput>,
  want: Want,
): Promise<TesseraError> {
  let thrown: unknown
  try {
    await validateDpopProof(request(input))
  } catch (error) {
    thrown = error
  }
  assert.ok(thrown instanceof TesseraError, `expected a TesseraError, got ${String(thrown)}`)
  const { code, check, expected, actual, hint } = thrown
  assert.deepEqual(
    { code, check, expected, actual, hint },
    { expected: undefined, actual: undefined, hint: undefined, ...want },
  )
  return thrown
}

const now = 1_800_000_000
const url = 'https://api.example.com/orders/42'
const accessToken = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3In0.c2ln'
const key = generateDpopKeyPair()
const clock = () => now

function options(extra: Partial<ResolvedDpopOptions> = {}): ResolvedDpopOptions {
  return {
    maxProofAge: 300,
    leeway: 5,
    algorithms: jwsAlgorithms,
    replay: new MemoryReplayStore({ clock }),
    maxProofBytes: 8192,
    ...extra,
  }
}

function proof(extra: Partial<Parameters<typeof createDpopProof>[0]> = {}): string {
  return createDpopProof({ key, method: 'GET', url, accessToken, now, ...extra })
}

function request(input: Partial<ValidateDpopProofInput> = {}): ValidateDpopProofInput {
  return { proof: proof(), method: 'GET', url, accessToken, options: options(), clock, ...input }
}

const goodClaims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  jti: 'jti-1',
  htm: 'GET',
  htu: url,
  iat: now,
  ath: accessTokenHash(accessToken),
  ...extra,
})
const goodHeader = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  typ: 'dpop+jwt',
  alg: 'ES256',
  jwk: key.publicJwk,
  ...extra,
})
/** A proof by `key` with any header and claims. */
const custom = (header: Record<string, unknown>, claims: Record<string, unknown>): string =>
  signWithHeader('ES256', key.privateKey, header, claims)

describe('validateDpopProof', () => {
  it('accepts a fresh proof and returns the key thumbprint, public jwk, jti and iat', async () => {
    const result = await validateDpopProof(request({ proof: proof({ jti: 'abc' }) }))
    assert.equal(result.jkt, jwkThumbprint(key.publicJwk as Record<string, unknown>))
    assert.deepEqual(result.jwk, {
      kty: 'EC',
      crv: 'P-256',
      x: key.publicJwk.x,
      y: key.publicJwk.y,
    })
    assert.equal(result.jti, 'abc')
    assert.equal(result.iat, now)
  })

  it('accepts proofs for every algorithm, and RSA keys for RS and PS alike', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const byAlg = new Map<JwsAlgorithm, DpopKeyPair>()
    for (const alg of jwsAlgorithms) {
      const pair: DpopKeyPair = /^(RS|PS)/.test(alg)
        ? { privateKey: rsa.privateKey, publicJwk: rsa.publicKey.export({ format: 'jwk' }), alg }
        : generateDpopKeyPair(alg)
      byAlg.set(alg, pair)
    }
    for (const [alg, pair] of byAlg) {
      const result = await validateDpopProof(request({ proof: proof({ key: pair }) }))
      assert.equal(result.jkt, jwkThumbprint(pair.publicJwk as Record<string, unknown>), alg)
    }
  })

  describe('count', () => {
    for (const [name, value, n] of [
      ['no header', undefined, 0],
      ['an empty list', [], 0],
      ['an empty header', '', 0],
      ['two headers', ['a.b.c', 'd.e.f'], 2],
    ] as const) {
      it(`refuses ${name}`, async () => {
        await rejection(
          { proof: value as string | string[] | undefined },
          {
            code: 'invalid_dpop_proof',
            check: 'count',
            expected: '1 DPoP proof',
            actual: `${n} DPoP proofs`,
          },
        )
      })
    }
    it('refuses two proofs joined by a comma into one header value', async () => {
      const error = await rejection(
        { proof: `${proof()}, ${proof({ jti: 'other' })}` },
        {
          code: 'invalid_dpop_proof',
          check: 'count',
          expected: '1 DPoP proof',
          actual: '2 DPoP proofs',
        },
      )
      assert.equal(
        error.message,
        'the DPoP header holds 2 comma-separated values, expected one proof',
      )
    })
  })

  it('too_large: refuses a proof above maxProofBytes before parsing it', async () => {
    const big = proof({ nonce: 'n'.repeat(400) })
    await rejection(
      { proof: big, options: options({ maxProofBytes: 256 }) },
      {
        code: 'invalid_dpop_proof',
        check: 'too_large',
        expected: '<= 256 bytes',
        actual: `${big.length} bytes`,
      },
    )
  })

  it('malformed: refuses a value that is not a compact JWT', async () => {
    const error = await rejection(
      { proof: 'not-a-jwt' },
      { code: 'invalid_dpop_proof', check: 'malformed' },
    )
    assert.equal(
      error.message,
      'DPoP proof: token has 1 segment, expected 3 (header.payload.signature)',
    )
    assert.ok(error.cause instanceof TesseraError)
  })

  it('malformed: refuses a proof whose header marks an extension critical', async () => {
    await rejection(
      { proof: custom(goodHeader({ crit: ['exp'] }), goodClaims()) },
      { code: 'invalid_dpop_proof', check: 'malformed', expected: 'no crit', actual: 'crit' },
    )
  })

  describe('typ', () => {
    it('refuses a proof without typ', async () => {
      await rejection(
        { proof: custom(goodHeader({ typ: undefined }), goodClaims()) },
        { code: 'invalid_dpop_proof', check: 'typ', expected: 'dpop+jwt', actual: 'missing' },
      )
    })
    it('refuses typ JWT (an access token presented as a proof)', async () => {
      const error = await rejection(
        { proof: custom(goodHeader({ typ: 'JWT' }), goodClaims()) },
        { code: 'invalid_dpop_proof', check: 'typ', expected: 'dpop+jwt', actual: 'JWT' },
      )
      assert.equal(error.message, 'DPoP proof typ is "JWT", expected "dpop+jwt"')
    })
    it('refuses typ in other letter case, with the case hint', async () => {
      await rejection(
        { proof: custom(goodHeader({ typ: 'DPoP+JWT' }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'typ',
          expected: 'dpop+jwt',
          actual: 'DPoP+JWT',
          hint: 'case',
        },
      )
    })
  })

  describe('alg', () => {
    for (const alg of ['HS256', 'none']) {
      it(`refuses ${alg}: proofs are asymmetric`, async () => {
        const error = await rejection(
          { proof: custom(goodHeader({ alg }), goodClaims()) },
          { code: 'invalid_dpop_proof', check: 'alg', expected: [...jwsAlgorithms], actual: alg },
        )
        assert.match(error.message, /never none or HMAC/)
      })
    }
    it('refuses an algorithm outside dpop.algorithms', async () => {
      const error = await rejection(
        { options: options({ algorithms: ['EdDSA'] }) },
        { code: 'invalid_dpop_proof', check: 'alg', expected: ['EdDSA'], actual: 'ES256' },
      )
      assert.equal(
        error.message,
        'DPoP proof alg "ES256" is not accepted: this receiver accepts ["EdDSA"]',
      )
    })
    it('refuses an algorithm in other letter case, with the case hint', async () => {
      await rejection(
        { proof: custom(goodHeader({ alg: 'es256' }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'alg',
          expected: [...jwsAlgorithms],
          actual: 'es256',
          hint: 'case',
        },
      )
    })
    it('refuses an alg that does not fit the jwk key type', async () => {
      const error = await rejection(
        { proof: custom(goodHeader({ alg: 'RS256' }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'alg',
          expected: 'an alg for a EC P-256 key',
          actual: 'RS256',
        },
      )
      assert.equal(
        error.message,
        'DPoP proof alg "RS256" does not fit its jwk: RS256 needs an RSA key, the key is EC',
      )
    })
  })

  describe('jwk', () => {
    it('refuses a proof without jwk', async () => {
      await rejection(
        { proof: custom(goodHeader({ jwk: undefined }), goodClaims()) },
        { code: 'invalid_dpop_proof', check: 'jwk', expected: 'a public JWK', actual: 'missing' },
      )
    })
    it('refuses a jwk that is not an object', async () => {
      await rejection(
        { proof: custom(goodHeader({ jwk: 'key' }), goodClaims()) },
        { code: 'invalid_dpop_proof', check: 'jwk', expected: 'a public JWK', actual: 'string' },
      )
    })
    it('refuses a jwk with private members', async () => {
      const privateJwk = key.privateKey.export({ format: 'jwk' })
      const error = await rejection(
        { proof: custom(goodHeader({ jwk: privateJwk }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'jwk',
          expected: 'a public JWK',
          actual: 'private members d',
        },
      )
      assert.ok(!error.message.includes(String(privateJwk.d)))
    })
    it('refuses RSA private members p and q', async () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      const jwk = rsa.privateKey.export({ format: 'jwk' })
      await rejection(
        {
          proof: signWithHeader(
            'RS256',
            rsa.privateKey,
            goodHeader({ alg: 'RS256', jwk }),
            goodClaims(),
          ),
        },
        {
          code: 'invalid_dpop_proof',
          check: 'jwk',
          expected: 'a public JWK',
          actual: 'private members d, p, q, dp, dq, qi',
        },
      )
    })
    it('refuses a symmetric (oct) jwk', async () => {
      await rejection(
        { proof: custom(goodHeader({ jwk: { kty: 'oct', k: 'c2VjcmV0' } }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'jwk',
          expected: 'a public RSA, EC or OKP key',
          actual: 'oct',
        },
      )
    })
    it('refuses a jwk the key import refuses (unsupported curve)', async () => {
      const error = await rejection(
        { proof: custom(goodHeader({ jwk: { ...key.publicJwk, crv: 'P-192' } }), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'jwk',
          expected: 'a public RSA, EC or OKP signature key',
          actual: 'unsupported EC curve "P-192"',
        },
      )
      assert.equal(error.message, 'DPoP proof jwk cannot be used: unsupported EC curve "P-192"')
    })
  })

  describe('signature', () => {
    it('refuses a proof signed by another key than its jwk', async () => {
      const other = generateDpopKeyPair()
      await rejection(
        { proof: signWithHeader('ES256', other.privateKey, goodHeader(), goodClaims()) },
        {
          code: 'invalid_dpop_proof',
          check: 'signature',
          expected: 'a valid ES256 signature',
          actual: 'a signature that does not verify',
        },
      )
    })
    it('refuses an ES256 signature in DER instead of JOSE r||s', async () => {
      const good = proof()
      const input = good.slice(0, good.lastIndexOf('.'))
      const der = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')
      await rejection(
        { proof: `${input}.${der}` },
        {
          code: 'invalid_dpop_proof',
          check: 'signature',
          expected: 'a valid ES256 signature',
          actual: 'a signature that does not verify',
        },
      )
    })
    it('refuses a proof whose claims were altered after signing', async () => {
      const [h, , s] = proof().split('.')
      const claims = Buffer.from(JSON.stringify(goodClaims({ htm: 'POST' }))).toString('base64url')
      await rejection(
        { proof: `${h}.${claims}.${s}`, method: 'POST' },
        {
          code: 'invalid_dpop_proof',
          check: 'signature',
          expected: 'a valid ES256 signature',
          actual: 'a signature that does not verify',
        },
      )
    })
  })

  describe('htm', () => {
    it('refuses a proof made for another method', async () => {
      const error = await rejection(
        { method: 'POST' },
        { code: 'invalid_dpop_proof', check: 'htm', expected: 'POST', actual: 'GET' },
      )
      assert.equal(error.message, 'DPoP proof htm is "GET", expected the request method "POST"')
    })
    it('refuses a method in other letter case, with the case hint', async () => {
      await rejection(
        { proof: proof({ method: 'get' }) },
        { code: 'invalid_dpop_proof', check: 'htm', expected: 'GET', actual: 'get', hint: 'case' },
      )
    })
    it('refuses a proof without htm', async () => {
      await rejection(
        { proof: custom(goodHeader(), goodClaims({ htm: undefined })) },
        { code: 'invalid_dpop_proof', check: 'htm', expected: 'GET', actual: 'missing' },
      )
    })
  })

  describe('htu', () => {
    it('ignores the query and fragment of the request URL and of htu', async () => {
      const withQuery = custom(goodHeader(), goodClaims({ htu: `${url}?page=2#top` }))
      await validateDpopProof(request({ proof: withQuery, url: `${url}?page=3` }))
    })
    it('compares after URL normalisation (host case, default port)', async () => {
      const p = custom(goodHeader(), goodClaims({ htu: 'https://API.example.com:443/orders/42' }))
      await validateDpopProof(request({ proof: p }))
    })
    for (const [name, htu, hint] of [
      ['a trailing slash', `${url}/`, 'trailing_slash'],
      ['the scheme', 'http://api.example.com/orders/42', 'scheme'],
      ['letter case in the path', 'https://api.example.com/Orders/42', 'case'],
      ['the path', 'https://api.example.com/invoices/7', 'path'],
    ] as const) {
      it(`refuses htu differing by ${name}, with hint ${hint}`, async () => {
        const error = await rejection(
          { proof: proof({ url: htu }) },
          { code: 'invalid_dpop_proof', check: 'htu', expected: url, actual: htu, hint },
        )
        assert.match(
          error.message,
          /^DPoP proof htu ".*" is not this request's URL ".*" \(query and fragment ignored\): /,
        )
      })
    }
    it('refuses htu on another host without a hint', async () => {
      await rejection(
        { proof: proof({ url: 'https://evil.example.net/orders/42' }) },
        {
          code: 'invalid_dpop_proof',
          check: 'htu',
          expected: url,
          actual: 'https://evil.example.net/orders/42',
        },
      )
    })
    it('refuses a missing or non-URL htu', async () => {
      await rejection(
        { proof: custom(goodHeader(), goodClaims({ htu: undefined })) },
        { code: 'invalid_dpop_proof', check: 'htu', expected: url, actual: 'missing' },
      )
      await rejection(
        { proof: custom(goodHeader(), goodClaims({ htu: '/orders/42' })) },
        { code: 'invalid_dpop_proof', check: 'htu', expected: url, actual: '/orders/42' },
      )
    })
    it('refuses a request URL that is not absolute with invalid_request', async () => {
      await rejection(
        { url: '/orders/42' },
        {
          code: 'invalid_request',
          check: 'url',
          expected: 'an absolute http(s) URL',
          actual: '/orders/42',
        },
      )
    })
  })

  describe('iat', () => {
    it('accepts iat at both edges of the window', async () => {
      await validateDpopProof(request({ proof: proof({ now: now + 5, jti: 'future-edge' }) }))
      await validateDpopProof(request({ proof: proof({ now: now - 305, jti: 'past-edge' }) }))
    })
    it('refuses a proof from the future beyond the leeway, with the clock-skew hint', async () => {
      const error = await rejection(
        { proof: proof({ now: now + 65 }) },
        {
          code: 'invalid_dpop_proof',
          check: 'iat',
          expected: `iat <= ${now + 5}`,
          actual: String(now + 65),
          hint: 'clock_skew',
        },
      )
      assert.match(
        error.message,
        /^DPoP proof iat is 65 s in the future, more than the leeway of 5 s: 60 s beyond the leeway/,
      )
    })
    it('refuses a proof older than maxProofAge plus leeway', async () => {
      await rejection(
        { proof: proof({ now: now - 306 }) },
        {
          code: 'invalid_dpop_proof',
          check: 'iat',
          expected: `iat >= ${now - 305}`,
          actual: String(now - 306),
          hint: 'clock_skew',
        },
      )
      await rejection(
        { proof: proof({ now: now - 3600 }) },
        {
          code: 'invalid_dpop_proof',
          check: 'iat',
          expected: `iat >= ${now - 305}`,
          actual: String(now - 3600),
        },
      )
    })
    it('refuses a proof without iat', async () => {
      await rejection(
        { proof: custom(goodHeader(), goodClaims({ iat: undefined })) },
        {
          code: 'invalid_dpop_proof',
          check: 'iat',
          expected: 'iat (a NumericDate)',
          actual: 'missing',
        },
      )
    })
  })

  describe('jti', () => {
    it('refuses a proof without jti', async () => {
      await rejection(
        { proof: custom(goodHeader(), goodClaims({ jti: undefined })) },
        { code: 'invalid_dpop_proof', check: 'jti', expected: 'a unique jti', actual: 'missing' },
      )
    })
    it('refuses a jti longer than 256 characters', async () => {
      await rejection(
        { proof: proof({ jti: 'j'.repeat(257) }) },
        {
          code: 'invalid_dpop_proof',
          check: 'jti',
          expected: '<= 256 characters',
          actual: '257 characters',
        },
      )
    })
    it('dpop_replay: refuses the same proof twice, keyed by thumbprint and jti', async () => {
      const calls: [string, number][] = []
      const inner = new MemoryReplayStore({ clock })
      const replay: ReplayStore = {
        use: (k, until) => {
          calls.push([k, until])
          return inner.use(k, until)
        },
      }
      const p = proof({ jti: 'once' })
      await validateDpopProof(request({ proof: p, options: options({ replay }) }))
      const error = await rejection(
        { proof: p, options: options({ replay }) },
        { code: 'dpop_replay', check: 'jti', expected: 'a jti not seen before', actual: 'once' },
      )
      assert.equal(
        error.message,
        'DPoP proof jti "once" was already used with this key: make a new proof for every request',
      )
      const jkt = jwkThumbprint(key.publicJwk as Record<string, unknown>)
      assert.deepEqual(calls, [
        [`dpop:${jkt}:once`, now + 305],
        [`dpop:${jkt}:once`, now + 305],
      ])
    })
    it('waits for an asynchronous replay store', async () => {
      const seen = new Set<string>()
      const replay: ReplayStore = {
        use: async (k) => {
          if (seen.has(k)) return false
          seen.add(k)
          return true
        },
      }
      const p = proof({ jti: 'async' })
      await validateDpopProof(request({ proof: p, options: options({ replay }) }))
      await rejection(
        { proof: p, options: options({ replay }) },
        { code: 'dpop_replay', check: 'jti', expected: 'a jti not seen before', actual: 'async' },
      )
    })
    it('does not burn the jti of a proof refused for another rule', async () => {
      const store = options()
      await rejection(
        { proof: proof({ jti: 'keep', accessToken: 'other-token' }), options: store },
        {
          code: 'invalid_dpop_proof',
          check: 'ath',
          expected: 'base64url(SHA-256(access token))',
          actual: 'the hash of another value',
        },
      )
      await validateDpopProof(request({ proof: proof({ jti: 'keep' }), options: store }))
    })
  })

  describe('ath', () => {
    it('refuses a proof without ath when an access token is presented', async () => {
      const { ath: _, ...claims } = goodClaims()
      await rejection(
        { proof: custom(goodHeader(), claims) },
        {
          code: 'invalid_dpop_proof',
          check: 'ath',
          expected: 'base64url(SHA-256(access token))',
          actual: 'missing',
        },
      )
    })
    it('does not require ath when no access token is presented (token endpoint)', async () => {
      const { accessToken: _, ...input } = request({
        proof: createDpopProof({ key, method: 'GET', url, now }),
      })
      const result = await validateDpopProof(input)
      assert.equal(result.iat, now)
    })
    it('is base64url(SHA-256(ASCII token))', () => {
      assert.equal(accessTokenHash('abc'), 'ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0')
    })
  })

  describe('nonce', () => {
    const nonces = createDpopNonceSource({ clock, secret: Buffer.alloc(32, 7) })
    it('accepts the current server nonce', async () => {
      const nonce = nonces.current() as string
      await validateDpopProof(
        request({ proof: proof({ nonce }), options: options({ nonce: nonces }) }),
      )
    })
    it('use_dpop_nonce: refuses a proof without a nonce', async () => {
      const error = await rejection(
        { options: options({ nonce: nonces }) },
        {
          code: 'use_dpop_nonce',
          check: 'nonce',
          expected: 'the current server nonce',
          actual: 'missing',
        },
      )
      assert.match(error.message, /DPoP-Nonce/)
    })
    it('use_dpop_nonce: refuses a stale nonce, without burning the jti', async () => {
      const store = options({ nonce: nonces })
      const stale = createDpopNonceSource({ clock: () => now - 3600, secret: Buffer.alloc(32, 7) })
      await rejection(
        { proof: proof({ nonce: stale.current() as string, jti: 'n1' }), options: store },
        {
          code: 'use_dpop_nonce',
          check: 'nonce',
          expected: 'the current server nonce',
          actual: 'a stale or unknown nonce',
        },
      )
      await validateDpopProof(
        request({ proof: proof({ nonce: nonces.current() as string, jti: 'n1' }), options: store }),
      )
    })
    it('use_dpop_nonce: refuses a nonce that is not a string', async () => {
      await rejection(
        {
          proof: custom(goodHeader(), goodClaims({ nonce: 7 })),
          options: options({ nonce: nonces }),
        },
        {
          code: 'use_dpop_nonce',
          check: 'nonce',
          expected: 'the current server nonce',
          actual: 'not a non-empty string',
        },
      )
    })
  })

  it('uses the injected clock for the window', async () => {
    const c = steppableClock(now)
    const p = proof({ jti: 'clocked' })
    c.advance(306)
    await rejection(
      { proof: p, clock: c.now },
      {
        code: 'invalid_dpop_proof',
        check: 'iat',
        expected: `iat >= ${now + 1}`,
        actual: String(now),
        hint: 'clock_skew',
      },
    )
  })
})
