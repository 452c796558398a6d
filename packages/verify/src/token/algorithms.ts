/**
 * The JWS algorithms Tessera verifies: asymmetric only (RFC 8725 §3.1, §3.2). `none` and
 * HMAC are not in this table, so no configuration can ever allow them.
 */

/** An asymmetric JWS algorithm name as RFC 7518, RFC 8037 and RFC 9864 spell it. */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'

/** What verifying with one algorithm needs. */
export interface AlgorithmSpec {
  readonly kty: 'RSA' | 'EC' | 'OKP'
  /** Digest for node:crypto, or null for EdDSA (the curve fixes the hash). */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null
  /** Curves the algorithm accepts (EC and OKP). */
  readonly curves?: readonly string[]
  /** ECDSA: bytes of r and of s in the JOSE `r‖s` signature (RFC 7518 §3.4). */
  readonly ecdsaPartBytes?: number
  readonly pss?: boolean
}

export const algorithms: Readonly<Record<JwsAlgorithm, AlgorithmSpec>> = Object.freeze({
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', curves: ['P-256'], ecdsaPartBytes: 32 },
  ES384: { kty: 'EC', hash: 'sha384', curves: ['P-384'], ecdsaPartBytes: 48 },
  ES512: { kty: 'EC', hash: 'sha512', curves: ['P-521'], ecdsaPartBytes: 66 },
  EdDSA: { kty: 'OKP', hash: null, curves: ['Ed25519', 'Ed448'] },
  Ed25519: { kty: 'OKP', hash: null, curves: ['Ed25519'] },
})

/** Every supported algorithm, in table order. */
export const jwsAlgorithms: readonly JwsAlgorithm[] = Object.freeze(
  Object.keys(algorithms) as JwsAlgorithm[],
)

/** Returns true for a supported asymmetric algorithm name (exact, case-sensitive). */
export function isJwsAlgorithm(value: unknown): value is JwsAlgorithm {
  return typeof value === 'string' && Object.hasOwn(algorithms, value)
}

/** Returns true for names that must never be accepted whatever the configuration says. */
export function isForbiddenAlgorithm(value: string): boolean {
  return value.toLowerCase() === 'none' || /^HS\d+$/i.test(value)
}
