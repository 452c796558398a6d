import assert from 'node:assert/strict'
import { createHmac, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { compactVerify, createLocalJWKSet, errors, type JSONWebKeySet, jwtVerify } from 'jose'
import type { ErrorCode } from '../../src/explain/codes.ts'
import { isTesseraError } from '../../src/explain/tessera-error.ts'
import type { JwsAlgorithm } from '../../src/token/algorithms.ts'
import type { JwtClaims } from '../../src/token/types.ts'
import { createVerifier } from '../../src/verifier/create-verifier.ts'
import type { Verifier } from '../../src/verifier/types.ts'
import {
  generateTestKey,
  jwksOf,
  signJws,
  signJwt,
  steppableClock,
  type TestKey,
} from '../support/token-factory.ts'
import { verifyJws } from './verify-jws.ts'

/**
 * Differential test against jose (v6, the reference JOSE implementation for Node): every token
 * goes through Tessera's `createVerifier` and jose's `jwtVerify` with the same clock, leeway,
 * issuer, audience and algorithms, and both must agree on accept or reject; an accepted
 * token's claims must be deep-equal. Wycheproof's asymmetric JWS vectors go through
 * `verifyJws` and jose's `compactVerify` the same way.
 *
 * THE table of cases where Tessera is stricter than jose on purpose: Tessera must reject them
 * with the stated code, and jose must accept them (so the table cannot hold stale rows).
 */
const stricterByDesign: Readonly<
  Record<string, { readonly code: ErrorCode; readonly reason: string }>
> = {
  'exp-missing': {
    code: 'missing_claim',
    reason:
      'a workload token without exp never expires, so it is a static key (jose makes exp optional)',
  },
  'iat-future': {
    code: 'issued_in_future',
    reason:
      'iat beyond the leeway means a broken issuer clock (jose checks iat only with maxTokenAge)',
  },
  'typ-dpop': {
    code: 'typ_mismatch',
    reason: 'RFC 8725 §3.11: another kind of JWT (a DPoP proof) never passes as an access token',
  },
  'huge-token': {
    code: 'too_large',
    reason: 'tokens over maxTokenBytes (16 KiB) are refused before any parsing, to bound work',
  },
  'signature-padding': {
    code: 'malformed',
    reason: 'RFC 7515 §2: base64url without padding, canonical, so each signature has one encoding',
  },
  'surrounding-whitespace': {
    code: 'malformed',
    reason:
      'a token is passed exactly as issued; whitespace means a transport bug, reported with a hint',
  },
  'duplicate-kid': {
    code: 'unknown_key',
    reason: 'a kid that names two usable keys is ambiguous; Tessera does not try both',
  },
  'no-kid-fifth-candidate': {
    code: 'bad_signature',
    reason:
      'without a kid at most 4 candidate keys are tried, so one token cannot cause unbounded work',
  },
  'wp-jwk-set-0408': {
    code: 'unknown_key',
    reason:
      'an RSA modulus with the ROCA fingerprint (CVE-2017-15361) is factorable; the key is refused',
  },
  'wp-jwk-set-0410': {
    code: 'unknown_key',
    reason: 'RSA e = 1 makes a signature equal to its encoded message; the key is refused',
  },
}

const clock = steppableClock(1_800_000_000)
const now = clock.now()
const issuer = 'https://issuer.example.com'
const audience = 'https://api.example.com'
const leeway = 60
const algorithms: readonly JwsAlgorithm[] = ['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256']

type Jwks = { keys: Record<string, unknown>[] }

const b64u = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

const mint = signJwt

const es256 = generateTestKey('ES256')
const es256b = generateTestKey('ES256', 'es256-2')
const es384 = generateTestKey('ES384')
const es512 = generateTestKey('ES512')
const eddsa = generateTestKey('EdDSA')
const rs256 = generateTestKey('RS256')
const ps256 = generateTestKey('PS256')
const rs384 = generateTestKey('RS384')
const signers = [es256, es384, es512, eddsa, rs256, ps256] as const
const main: Jwks = jwksOf(es256, es256b, es384, es512, eddsa, rs256, ps256, rs384)

/** A key with the kid of `es256` but other key material: what an attacker without the key has. */
const impostor = generateTestKey('ES256', es256.kid)

function claims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: issuer,
    aud: audience,
    sub: 'spiffe://example.org/workload',
    iat: now - 10,
    nbf: now - 10,
    exp: now + 300,
    jti: 'jti-1',
    ...extra,
  }
}

function withoutClaim(name: string): Record<string, unknown> {
  const c = claims()
  delete c[name]
  return c
}

/** Replaces one segment of a compact token. */
function replaceSegment(token: string, index: number, value: string): string {
  const parts = token.split('.')
  parts[index] = value
  return parts.join('.')
}

function keyFromPair(
  alg: JwsAlgorithm,
  kid: string,
  pair: { privateKey: KeyObject; publicKey: KeyObject },
  privateJwk = false,
): TestKey {
  const source = privateJwk ? pair.privateKey : pair.publicKey
  return { alg, kid, ...pair, jwk: { ...source.export({ format: 'jwk' }), kid, alg, use: 'sig' } }
}

const p256Order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551')

/** The malleable twin of an ES256 signature: (r, n − s) verifies as well (ECDSA is not strongly unforgeable). */
function highS(token: string): string {
  const sig = Buffer.from(token.split('.')[2] ?? '', 'base64url')
  const s = BigInt(`0x${sig.subarray(32).toString('hex')}`)
  const twin = Buffer.concat([
    sig.subarray(0, 32),
    Buffer.from((p256Order - s).toString(16).padStart(64, '0'), 'hex'),
  ])
  return replaceSegment(token, 2, twin.toString('base64url'))
}

/**
 * One token of the corpus: `accepted` is the outcome both verifiers must reach, or, for a row of
 * stricterByDesign, jose's (Tessera's is then the row's code).
 */
interface JwtCase {
  readonly id: string
  readonly what: string
  readonly token: string
  readonly jwks?: Jwks
  readonly accepted: boolean
}

function buildCorpus(): JwtCase[] {
  const cases: JwtCase[] = []
  const add = (id: string, what: string, token: string, accepted: boolean, jwks?: Jwks): void => {
    cases.push({ id, what, token, accepted, ...(jwks === undefined ? {} : { jwks }) })
  }

  for (const key of signers) {
    const alg = key.alg.toLowerCase()
    add(`${alg}-valid`, `a valid ${key.alg} token`, mint(key, claims()), true)
    const valid = mint(key, claims())
    add(
      `${alg}-tampered-payload`,
      `a ${key.alg} token whose payload was altered after signing`,
      replaceSegment(valid, 1, b64u(claims({ sub: 'spiffe://example.org/admin' }))),
      false,
    )
    add(
      `${alg}-wrong-key`,
      `a ${key.alg} token signed by another key with the same kid`,
      mint(generateTestKey(key.alg, key.kid), claims()),
      false,
    )
  }

  add(
    'es256-tampered-header',
    'an ES256 token whose header was altered after signing',
    replaceSegment(mint(es256, claims()), 0, b64u({ alg: 'ES256', kid: es256.kid, typ: 'at+jwt' })),
    false,
  )
  {
    const token = mint(es256, claims())
    const signature = Buffer.from(token.split('.')[2] ?? '', 'base64url')
    add(
      'es256-truncated-signature',
      'an ES256 token whose signature lost its last byte',
      replaceSegment(token, 2, signature.subarray(0, -1).toString('base64url')),
      false,
    )
  }
  {
    const input = `${b64u({ alg: 'ES256', kid: es256.kid, typ: 'JWT' })}.${b64u(claims())}`
    const der = sign('sha256', Buffer.from(input), { key: es256.privateKey, dsaEncoding: 'der' })
    add(
      'es256-der-signature',
      'an ES256 token with a DER signature instead of r‖s',
      `${input}.${der.toString('base64url')}`,
      false,
    )
  }
  add(
    'es256-high-s',
    'the malleable twin (r, n − s) of a valid ES256 signature',
    highS(mint(es256, claims())),
    true,
  )
  add(
    'claims-rich',
    'a token with nested, unicode and numeric claims',
    mint(
      es256,
      claims({ nested: { a: [1, 2, { b: null }] }, name: 'Zoë 🚀', ratio: 0.5, big: 2 ** 53 - 1 }),
    ),
    true,
  )
  add(
    'extra-header-parameter',
    'a token with an unregistered header parameter',
    mint(rs256, claims(), { 'x-trace': 'abc' }),
    true,
  )
  add(
    'embedded-jwk-ignored',
    'a token signed by a key it embeds in its header (the header jwk is never trusted)',
    mint(impostor, claims(), { jwk: impostor.jwk }),
    false,
  )

  // Time: exp, nbf and iat, at and beyond the leeway.
  add(
    'expired',
    'a token that expired an hour ago',
    mint(es256, claims({ exp: now - 3600, iat: now - 7200, nbf: now - 7200 })),
    false,
  )
  add(
    'exp-within-leeway',
    'a token that expired 30 s ago, within the 60 s leeway',
    mint(es256, claims({ exp: now - 30 })),
    true,
  )
  add(
    'exp-last-second',
    'a token whose exp + leeway is one second ahead',
    mint(es256, claims({ exp: now - leeway + 1 })),
    true,
  )
  add(
    'exp-boundary',
    'a token whose exp + leeway is exactly now',
    mint(es256, claims({ exp: now - leeway })),
    false,
  )
  add('exp-missing', 'a token without exp', mint(es256, withoutClaim('exp')), true)
  add(
    'exp-string',
    'a token whose exp is a string',
    mint(es256, claims({ exp: String(now + 300) })),
    false,
  )
  add(
    'nbf-future',
    'a token not valid for another hour',
    mint(es256, claims({ nbf: now + 3600 })),
    false,
  )
  add(
    'nbf-boundary',
    'a token whose nbf is exactly now + leeway',
    mint(es256, claims({ nbf: now + leeway })),
    true,
  )
  add(
    'nbf-past-boundary',
    'a token whose nbf is one second beyond now + leeway',
    mint(es256, claims({ nbf: now + leeway + 1 })),
    false,
  )
  add(
    'nbf-string',
    'a token whose nbf is a string',
    mint(es256, claims({ nbf: 'yesterday' })),
    false,
  )
  add(
    'iat-within-leeway',
    'a token issued 30 s in the future, within the leeway',
    mint(es256, claims({ iat: now + 30 })),
    true,
  )
  add(
    'iat-future',
    'a token issued an hour in the future',
    mint(es256, claims({ iat: now + 3600 })),
    true,
  )
  add('iat-string', 'a token whose iat is a string', mint(es256, claims({ iat: 'now' })), false)

  // Audience and issuer.
  add(
    'aud-wrong',
    'a token for another audience',
    mint(es256, claims({ aud: 'https://other.example.com' })),
    false,
  )
  add(
    'aud-trailing-slash',
    'a token whose audience differs by a trailing slash',
    mint(es256, claims({ aud: `${audience}/` })),
    false,
  )
  add(
    'aud-array-match',
    'a token whose aud array contains this audience',
    mint(es256, claims({ aud: ['https://other.example.com', audience] })),
    true,
  )
  add(
    'aud-array-miss',
    'a token whose aud array lacks this audience',
    mint(es256, claims({ aud: ['https://a.example.com', 'https://b.example.com'] })),
    false,
  )
  add(
    'aud-empty-array',
    'a token whose aud is an empty array',
    mint(es256, claims({ aud: [] })),
    false,
  )
  add('aud-missing', 'a token without aud', mint(es256, withoutClaim('aud')), false)
  add('aud-number', 'a token whose aud is a number', mint(es256, claims({ aud: 42 })), false)
  add(
    'iss-wrong',
    'a token from another issuer',
    mint(es256, claims({ iss: 'https://evil.example.com' })),
    false,
  )
  add(
    'iss-trailing-slash',
    'a token whose issuer differs by a trailing slash',
    mint(es256, claims({ iss: `${issuer}/` })),
    false,
  )
  add('iss-missing', 'a token without iss', mint(es256, withoutClaim('iss')), false)

  // Algorithms: none, the HMAC confusion attack, algorithms outside the list or the key's family.
  add(
    'alg-none',
    'an unsecured token (alg none, empty signature)',
    `${b64u({ alg: 'none', typ: 'JWT' })}.${b64u(claims())}.`,
    false,
  )
  add(
    'alg-none-signed',
    'an alg none token carrying a signature',
    replaceSegment(mint(es256, claims()), 0, b64u({ alg: 'none', kid: es256.kid })),
    false,
  )
  add(
    'alg-none-uppercase',
    'an unsecured token with alg NONE',
    `${b64u({ alg: 'NONE' })}.${b64u(claims())}.`,
    false,
  )
  {
    // RFC 8725 §2.1: sign HS256 with the RSA public key (as its PEM) as the HMAC secret.
    const pem = rs256.publicKey.export({ format: 'pem', type: 'spki' }).toString()
    const input = `${b64u({ alg: 'HS256', kid: rs256.kid, typ: 'JWT' })}.${b64u(claims())}`
    add(
      'hs256-public-key-secret',
      'an HS256 token keyed with the RSA public key PEM (key confusion)',
      `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`,
      false,
    )
    const noKid = `${b64u({ alg: 'HS256', typ: 'JWT' })}.${b64u(claims())}`
    add(
      'hs256-public-key-secret-no-kid',
      'the key confusion attack without a kid',
      `${noKid}.${createHmac('sha256', pem).update(noKid).digest('base64url')}`,
      false,
    )
  }
  add(
    'alg-not-in-list',
    'an RS384 token while only other algorithms are allowed',
    mint(rs384, claims()),
    false,
  )
  add(
    'alg-key-family-mismatch',
    "an ES384 header naming the ES256 key's kid",
    replaceSegment(mint(es384, claims()), 0, b64u({ alg: 'ES384', kid: es256.kid, typ: 'JWT' })),
    false,
  )
  add(
    'alg-differs-from-jwk-alg',
    "a PS256 token naming the RS256 key's kid",
    mint({ ...rs256, alg: 'PS256' }, claims()),
    false,
  )

  // kid.
  add(
    'kid-missing',
    'an ES384 token without a kid (one candidate key)',
    mint(es384, claims(), { kid: undefined }),
    true,
  )
  add(
    'kid-missing-second-candidate',
    'an ES256 token without a kid, signed by the second ES256 key',
    mint(es256b, claims(), { kid: undefined }),
    true,
  )
  add(
    'kid-unknown',
    'a token whose kid is in no key set',
    mint(es256, claims(), { kid: 'rotated-away' }),
    false,
  )
  add('kid-number', 'a token whose kid is a number', mint(es256, claims(), { kid: 7 }), false)

  // crit, typ, b64.
  add(
    'crit-unknown',
    'a token marking an unknown extension critical',
    mint(es256, claims(), { crit: ['x-ext'], 'x-ext': true }),
    false,
  )
  add('crit-empty', 'a token with an empty crit list', mint(es256, claims(), { crit: [] }), false)
  add(
    'b64-false',
    'an RFC 7797 unencoded-payload token',
    mint(es256, claims(), { b64: false, crit: ['b64'] }),
    false,
  )
  add('typ-absent', 'a token without typ', mint(es256, claims(), { typ: undefined }), true)
  add('typ-at-jwt', 'a token with typ at+jwt', mint(es256, claims(), { typ: 'at+jwt' }), true)
  add(
    'typ-application-jwt',
    'a token with typ application/jwt',
    mint(es256, claims(), { typ: 'application/jwt' }),
    true,
  )
  add(
    'typ-dpop',
    'a DPoP proof presented as a token (typ dpop+jwt)',
    mint(es256, claims(), { typ: 'dpop+jwt' }),
    true,
  )

  // Shape and encoding.
  add('payload-not-json', 'a token whose payload is not JSON', signJws(es256, 'not json'), false)
  add('payload-array', 'a token whose payload is a JSON array', signJws(es256, '[1,2,3]'), false)
  add(
    'payload-invalid-utf8',
    'a token whose claims hold an invalid UTF-8 byte',
    signJws(
      es256,
      Buffer.concat([
        Buffer.from(JSON.stringify(claims()).slice(0, -1)),
        Buffer.from(',"name":"\xff"}', 'latin1'),
      ]),
    ),
    false,
  )
  add(
    'header-not-json',
    'a token whose header is not JSON',
    replaceSegment(mint(es256, claims()), 0, Buffer.from('{alg:ES256').toString('base64url')),
    false,
  )
  add(
    'two-segments',
    'a token with two segments',
    mint(es256, claims()).split('.').slice(0, 2).join('.'),
    false,
  )
  add('four-segments', 'a token with an extra segment', `${mint(es256, claims())}.AAAA`, false)
  add('empty-string', 'an empty string', '', false)
  add(
    'signature-padding',
    'a token whose signature has base64 padding',
    `${mint(es256, claims())}==`,
    true,
  )
  add(
    'surrounding-whitespace',
    'a token with a trailing newline',
    `${mint(es256, claims())}\n`,
    true,
  )
  add(
    'large-token',
    'a 10 KiB token, under the 16 KiB limit',
    mint(rs256, claims({ pad: 'x'.repeat(10 * 1024) })),
    true,
  )
  add('huge-token', 'a 20 KiB token', mint(rs256, claims({ pad: 'x'.repeat(20 * 1024) })), true)

  // Key sets.
  {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const privateKey = keyFromPair('ES256', 'es256-private', pair, true)
    add(
      'private-key-in-set',
      'a token whose key is published with its private part (d)',
      mint(privateKey, claims()),
      false,
      jwksOf(privateKey),
    )
    const weak = keyFromPair(
      'RS256',
      'rs256-1024',
      generateKeyPairSync('rsa', { modulusLength: 1024 }),
    )
    add(
      'rsa-1024',
      'a token signed with a 1024-bit RSA key',
      mint(weak, claims()),
      false,
      jwksOf(weak),
    )
    const encKey = { ...es256, jwk: { ...es256.jwk, use: 'enc' } }
    add(
      'key-use-enc',
      'a token whose key is published for encryption (use enc)',
      mint(es256, claims()),
      false,
      jwksOf(encKey),
    )
    const twin = generateTestKey('ES256', es256.kid)
    add(
      'duplicate-kid',
      'a token whose kid names two keys in the set',
      mint(twin, claims()),
      true,
      jwksOf(es256, twin),
    )
    const five = [1, 2, 3, 4, 5].map((i) => generateTestKey('ES256', `es256-n${i}`))
    const fifth = five[4] as TestKey
    add(
      'no-kid-fifth-candidate',
      'a token without a kid signed by the fifth of five ES256 keys',
      mint(fifth, claims(), { kid: undefined }),
      true,
      jwksOf(...five),
    )
    add(
      'no-kid-fourth-candidate',
      'a token without a kid signed by the fourth of five ES256 keys',
      mint(five[3] as TestKey, claims(), { kid: undefined }),
      true,
      jwksOf(...five),
    )
  }
  add(
    'kid-of-other-kty',
    "an ES256 token naming the EdDSA key's kid",
    mint(es256, claims(), { kid: eddsa.kid }),
    false,
  )
  return cases
}

const corpus = buildCorpus()

interface WycheproofTokenCase {
  readonly id: string
  readonly layer: string
  readonly comment: string
  readonly jws: string
  readonly keys: unknown
  readonly expectedAlg: string | null
  readonly symmetric?: boolean
  readonly expect: { readonly valid: boolean | null }
  readonly strictNote?: string
}

const wycheproofCases: readonly WycheproofTokenCase[] = (
  JSON.parse(
    readFileSync(new URL('./fixtures/wycheproof-subset.json', import.meta.url), 'utf8'),
  ) as {
    cases: WycheproofTokenCase[]
  }
).cases.filter((c) => (c.layer === 'jws' || c.layer === 'jwk-set') && c.symmetric !== true)

type TesseraOutcome =
  | { ok: true; claims: JwtClaims }
  | { ok: false; code: ErrorCode; message: string }
type JoseOutcome = { ok: true; claims: unknown } | { ok: false; message: string }

const verifiers = new Map<Jwks, Verifier>()
function verifierFor(jwks: Jwks): Verifier {
  let verifier = verifiers.get(jwks)
  if (verifier === undefined) {
    verifier = createVerifier({
      issuers: [{ issuer, jwks, algorithms }],
      audience,
      leeway,
      clock: clock.now,
    })
    verifiers.set(jwks, verifier)
  }
  return verifier
}

async function runTessera(token: string, jwks: Jwks): Promise<TesseraOutcome> {
  try {
    return { ok: true, claims: (await verifierFor(jwks).verify(token)).claims }
  } catch (error) {
    if (!isTesseraError(error)) throw error
    return { ok: false, code: error.code, message: error.message }
  }
}

/** A key or key-set resolver as jose's verify functions take it. */
type JoseKey = Parameters<typeof compactVerify>[1]

/**
 * Runs a jose verification against a local key set the way jose documents for sets where
 * several keys match (no kid, or a repeated kid): `createLocalJWKSet` then throws
 * `JWKSMultipleMatchingKeys`, which iterates the candidates, and each is tried in turn.
 */
async function withCandidateKeys<T>(
  jwks: unknown,
  verify: (key: JoseKey) => Promise<T>,
): Promise<T> {
  try {
    return await verify(createLocalJWKSet(jwks as JSONWebKeySet))
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error
    for await (const key of error) {
      try {
        return await verify(key)
      } catch (inner) {
        if (inner instanceof errors.JWSSignatureVerificationFailed) continue
        throw inner
      }
    }
    throw new errors.JWSSignatureVerificationFailed()
  }
}

const joseMessage = (error: unknown): string =>
  error instanceof Error
    ? `${(error as { code?: string }).code ?? error.name}: ${error.message}`
    : String(error)

async function runJose(token: string, jwks: Jwks): Promise<JoseOutcome> {
  const options = {
    issuer,
    audience,
    algorithms: [...algorithms],
    clockTolerance: leeway,
    currentDate: new Date(clock.now() * 1000),
  }
  try {
    const { payload } = await withCandidateKeys(jwks, (key) => jwtVerify(token, key, options))
    return { ok: true, claims: payload }
  } catch (error) {
    return { ok: false, message: joseMessage(error) }
  }
}

const show = (o: TesseraOutcome | JoseOutcome): string =>
  o.ok ? 'accepted' : 'code' in o ? `rejected ${o.code} (${o.message})` : `rejected (${o.message})`

function assertStricter(
  id: string,
  tessera: { ok: true } | { ok: false; code: ErrorCode; message: string },
  joseAccepted: boolean,
  joseWhy: string,
): void {
  const row = stricterByDesign[id] as { code: ErrorCode; reason: string }
  assert.ok(!tessera.ok, `${id}: Tessera must reject (${row.reason}), but it accepted`)
  assert.equal(
    tessera.code,
    row.code,
    `${id}: ${row.reason}; Tessera rejected with ${tessera.code} (${tessera.message})`,
  )
  assert.ok(
    joseAccepted,
    `${id} is listed as stricter by design, but jose rejects it too (${joseWhy}): move it out of the table`,
  )
}

type Agreement = 'accept' | 'reject' | 'agree on'

function caseTitle(id: string, what: string, agreement: Agreement): string {
  const row = stricterByDesign[id]
  if (row !== undefined)
    return `${id}: Tessera rejects ${what} as ${row.code} where jose accepts (stricter by design)`
  return `${id}: both ${agreement} ${what}`
}

describe('differential against jose', () => {
  it('has at least 60 JWT cases and a case for every stricterByDesign row', () => {
    assert.ok(corpus.length >= 60, `only ${corpus.length} cases`)
    assert.equal(new Set(corpus.map((c) => c.id)).size, corpus.length)
    const ids = new Set([...corpus.map((c) => c.id), ...wycheproofCases.map((v) => v.id)])
    for (const id of Object.keys(stricterByDesign))
      assert.ok(ids.has(id), `stricterByDesign names ${id}, which no case has`)
  })

  describe('JWTs through createVerifier and jwtVerify (fixed clock, same issuer, audience, algorithms, leeway)', () => {
    for (const c of corpus) {
      it(caseTitle(c.id, c.what, c.accepted ? 'accept' : 'reject'), async () => {
        const jwks = c.jwks ?? main
        const [tessera, jose] = await Promise.all([
          runTessera(c.token, jwks),
          runJose(c.token, jwks),
        ])
        if (stricterByDesign[c.id] !== undefined) {
          assertStricter(c.id, tessera, jose.ok, show(jose))
          return
        }
        assert.equal(tessera.ok, jose.ok, `${c.id}: Tessera ${show(tessera)}, jose ${show(jose)}`)
        assert.equal(
          tessera.ok,
          c.accepted,
          `${c.id}: both ${c.accepted ? 'rejected' : 'accepted'} it (Tessera ${show(tessera)})`,
        )
        if (tessera.ok && jose.ok) assert.deepEqual(tessera.claims, jose.claims)
      })
    }
  })

  describe("Wycheproof's asymmetric JWS vectors through verifyJws and compactVerify", () => {
    for (const v of wycheproofCases) {
      // Wycheproof's verdict, except where it allows either outcome (valid null, strictNote).
      const agreement: Agreement =
        v.expect.valid === null || v.strictNote !== undefined
          ? 'agree on'
          : v.expect.valid
            ? 'accept'
            : 'reject'
      it(caseTitle(v.id, `${v.layer} vector ${v.comment}`, agreement), async () => {
        const tessera = verifyJws(v.jws, v.keys, v.expectedAlg)
        let jose: { ok: true; payload: Uint8Array } | { ok: false; message: string }
        try {
          const options = v.expectedAlg === null ? {} : { algorithms: [v.expectedAlg] }
          const { payload } = await withCandidateKeys(v.keys, (key) =>
            compactVerify(v.jws, key, options),
          )
          jose = { ok: true, payload }
        } catch (error) {
          jose = { ok: false, message: joseMessage(error) }
        }
        const joseWhy = jose.ok ? 'accepted' : jose.message
        if (stricterByDesign[v.id] !== undefined) {
          assertStricter(
            v.id,
            tessera.ok
              ? { ok: true }
              : { ok: false, code: tessera.code, message: tessera.error.message },
            jose.ok,
            joseWhy,
          )
          return
        }
        const tesseraWhy = tessera.ok ? 'accepted' : `${tessera.code} (${tessera.error.message})`
        assert.equal(tessera.ok, jose.ok, `${v.id}: Tessera ${tesseraWhy}, jose ${joseWhy}`)
        if (agreement !== 'agree on') {
          assert.equal(tessera.ok, agreement === 'accept', `${v.id}: both ${joseWhy}`)
        }
        if (tessera.ok && jose.ok)
          assert.ok(tessera.payload.equals(Buffer.from(jose.payload)), `${v.id}: payloads differ`)
      })
    }
  })
})
