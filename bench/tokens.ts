/**
 * Realistic workload tokens for the benches: a fresh key pair per algorithm, its public JWKS
 * and PEM, and a pool of distinct tokens (different jti and iat) signed with node:crypto.
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject, randomUUID, sign } from 'node:crypto'

export type BenchAlg = 'ES256' | 'EdDSA' | 'RS256'
export const benchAlgs: readonly BenchAlg[] = ['ES256', 'EdDSA', 'RS256']

export const issuer = 'https://issuer.tessera.example'
export const audience = 'https://api.example.com'
export const subject = 'spiffe://prod.example/ns/payments/sa/api'

/** Everything the contestants need for one algorithm. */
export interface Fixture {
  readonly alg: BenchAlg
  readonly kid: string
  /** The public key as imported once (what the ceiling verifies with). */
  readonly publicKey: KeyObject
  readonly jwk: JsonWebKey
  readonly jwks: { readonly keys: readonly JsonWebKey[] }
  /** SPKI PEM of the public key. */
  readonly pem: string
  /** Distinct valid tokens; the length is a power of two. */
  readonly tokens: readonly string[]
  /** The first token with one payload claim changed and the original signature kept. */
  readonly tamperedPayload: string
  /** The first token with one signature bit flipped (still canonical base64url). */
  readonly tamperedSignature: string
}

const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')

function keyPair(alg: BenchAlg): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'EdDSA') return generateKeyPairSync('ed25519')
  return generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
}

function signer(alg: BenchAlg, privateKey: KeyObject): (input: string) => Buffer {
  if (alg === 'ES256') {
    return (input) =>
      sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
  }
  if (alg === 'EdDSA') return (input) => sign(null, Buffer.from(input), privateKey)
  return (input) => sign('sha256', Buffer.from(input), privateKey)
}

/** Builds the fixture for `alg`: tokens issued a few seconds before `now`, valid for 300 s. */
export function makeFixture(alg: BenchAlg, now: number, poolSize: number): Fixture {
  const { publicKey, privateKey } = keyPair(alg)
  const kid = `${alg.toLowerCase()}-2026-01`
  const jwk: JsonWebKey = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' }
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString()
  const signInput = signer(alg, privateKey)
  const header = b64u(JSON.stringify({ alg, kid, typ: 'JWT' }))
  const compact = (claims: Record<string, unknown>): string => {
    const input = `${header}.${b64u(JSON.stringify(claims))}`
    return `${input}.${b64u(signInput(input))}`
  }
  const claimsList: Record<string, unknown>[] = []
  for (let i = 0; i < poolSize; i++) {
    const iat = now - 5 - (i % 30)
    claimsList.push({
      iss: issuer,
      sub: subject,
      aud: audience,
      iat,
      nbf: iat,
      exp: iat + 300,
      jti: randomUUID(),
      repository: 'tessera-example/payments-api',
      ref: 'refs/heads/main',
      workflow: '.github/workflows/deploy.yml',
      environment: 'production',
    })
  }
  // Flattened, as a token read from an HTTP header is (a concatenation is a V8 cons string,
  // which would make every string scan slower than in production).
  const tokens = claimsList.map((c) => Buffer.from(compact(c), 'latin1').toString('latin1'))
  const first = tokens[0] as string
  const [h, , s] = first.split('.') as [string, string, string]
  const forged = b64u(JSON.stringify({ ...claimsList[0], environment: 'productioN' }))
  const sig = Buffer.from(s, 'base64url')
  sig[sig.length >> 1] = (sig[sig.length >> 1] as number) ^ 0x01
  return {
    alg,
    kid,
    publicKey,
    jwk,
    jwks: { keys: [jwk] },
    pem,
    tokens,
    tamperedPayload: `${h}.${forged}.${s}`,
    tamperedSignature: `${first.slice(0, first.lastIndexOf('.'))}.${b64u(sig)}`,
  }
}
