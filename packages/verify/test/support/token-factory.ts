import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import type { JwsAlgorithm } from '../../src/token/algorithms.ts'

/** A signing key pair for tests, with its public JWK (kid and alg set). */
export interface TestKey {
  readonly alg: JwsAlgorithm
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly jwk: Record<string, unknown>
}

const hashes: Record<string, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
  Ed25519: null,
}

/** Generates a key pair for `alg` (RSA 2048 bits, EdDSA on Ed25519). */
export function generateTestKey(alg: JwsAlgorithm, kid = `${alg.toLowerCase()}-1`): TestKey {
  let pair: { privateKey: KeyObject; publicKey: KeyObject }
  if (alg.startsWith('RS') || alg.startsWith('PS'))
    pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
  else if (alg === 'ES256') pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  else if (alg === 'ES384') pair = generateKeyPairSync('ec', { namedCurve: 'P-384' })
  else if (alg === 'ES512') pair = generateKeyPairSync('ec', { namedCurve: 'P-521' })
  else pair = generateKeyPairSync('ed25519')
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  return { alg, kid, ...pair, jwk }
}

/** A JWKS document holding the public JWKs of `keys`. */
export function jwksOf(...keys: readonly TestKey[]): { keys: Record<string, unknown>[] } {
  return { keys: keys.map((k) => ({ ...k.jwk })) }
}

const b64u = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Signs a compact JWS over `payload` with `key`, merging `header` into `{alg, kid, typ}`. */
export function signJws(
  key: TestKey,
  payload: string | Buffer,
  header: Record<string, unknown> = {},
): string {
  const protectedHeader: Record<string, unknown> = { alg: key.alg, kid: key.kid, ...header }
  for (const [k, v] of Object.entries(protectedHeader))
    if (v === undefined) delete protectedHeader[k]
  const input = `${b64u(protectedHeader)}.${Buffer.from(payload).toString('base64url')}`
  const hash = hashes[key.alg] ?? null
  const options = key.alg.startsWith('PS')
    ? {
        key: key.privateKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: Number(hash?.slice(3)) / 8,
      }
    : key.alg.startsWith('ES')
      ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' as const }
      : key.privateKey
  return `${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`
}

/** Signs a JWT with `claims` (a JSON object) and `typ: JWT` unless the header overrides it. */
export function signJwt(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  return signJws(key, JSON.stringify(claims), { typ: 'JWT', ...header })
}

/** A steppable clock in epoch seconds. */
export function steppableClock(start = 1_800_000_000): {
  now: () => number
  advance: (s: number) => void
  set: (s: number) => void
} {
  let t = start
  return {
    now: () => t,
    advance: (s) => {
      t += s
    },
    set: (s) => {
      t = s
    },
  }
}

/**
 * Signs a JWT whose protected header is exactly `header` (nothing merged in) with a bare
 * private key: for DPoP proofs and other tokens whose header a test must control fully.
 * `alg` picks the signing operation; the header may claim a different one.
 */
export function signWithHeader(
  alg: JwsAlgorithm,
  privateKey: KeyObject,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
): string {
  const key: TestKey = { alg, kid: '', privateKey, publicKey: privateKey, jwk: {} }
  return signJws(key, JSON.stringify(claims), { alg: undefined, kid: undefined, ...header })
}
