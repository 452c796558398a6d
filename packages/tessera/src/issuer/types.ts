import type { KeyObject } from 'node:crypto'
import type { JwsAlgorithm } from '@tessera/verify'

/** Signing algorithms Tessera's own issuer mints with. */
export type SigningAlgorithm = Extract<JwsAlgorithm, 'ES256' | 'EdDSA' | 'RS256'>

/** The `issuer` section of `tessera.yaml`, resolved (defaults applied, units in the names). */
export interface IssuerSettings {
  /** The public issuer URL: `iss` of every token and the discovery document's `issuer`. */
  readonly issuerUrl: string
  readonly trustDomain: string
  readonly algorithm: SigningAlgorithm
  /** Workload identity token lifetime (default 300). */
  readonly identityTokenTtlSeconds: number
  /** Default and maximum access-token lifetime when a policy sets no cap (default 900). */
  readonly accessTokenTtlSeconds: number
  /** A new key is created this often (default 86 400). */
  readonly rotateEverySeconds: number
  /**
   * How long a new key is published before it signs (default 3 600); must be at least the
   * longest verifier JWKS cache age, i.e. >= `jwksMaxAgeSeconds`.
   */
  readonly prePublishSeconds: number
  /** Cache-Control max-age of the JWKS and discovery responses (default 600). */
  readonly jwksMaxAgeSeconds: number
}

/** Lifecycle states of a signing key. */
export type KeyState = 'pending' | 'active' | 'retired' | 'revoked'

/** A signing key as stored: the private half encrypted under the key-encryption key. */
export interface StoredSigningKey {
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  /** Public JWK (kid, alg, use: sig set). */
  readonly publicJwk: Readonly<Record<string, unknown>>
  /** AES-256-GCM sealed PKCS#8 DER: base64url of iv ‖ ciphertext ‖ tag. */
  readonly sealedPrivateKey: string
  readonly state: KeyState
  /** Epoch seconds. */
  readonly createdAt: number
  /** When the key starts (or started) signing. */
  readonly activatesAt: number
  /** When it stopped signing (set on retirement). */
  readonly retiredAt?: number
  /** Until when it stays published: retiredAt + longest token lifetime (+ leeway). */
  readonly publishedUntil?: number
}

/**
 * Where signing keys live; implemented by the store (memory, SQLite). Writes are whole-record
 * upserts so that each lifecycle step is atomic.
 */
export interface KeyStore {
  list(): Promise<readonly StoredSigningKey[]>
  put(key: StoredSigningKey): Promise<void>
  delete(kid: string): Promise<void>
}

/** A one-time join token as stored: only its SHA-256 is kept. */
export interface StoredJoinToken {
  /** SHA-256 (hex) of the secret join token. */
  readonly tokenHash: string
  /** The SPIFFE ID the token attests to. */
  readonly spiffeId: string
  /** Epoch seconds. */
  readonly expiresAt: number
  readonly createdAt: number
}

/** One-time join tokens; `consume` is atomic: a token can be consumed once. */
export interface JoinTokenStore {
  create(token: StoredJoinToken): Promise<void>
  /** Removes and returns the token if present and unexpired at `now`; otherwise undefined. */
  consume(tokenHash: string, now: number): Promise<StoredJoinToken | undefined>
}

/** A signing key as shown to operators and other parts: everything but the sealed private key. */
export type SigningKeyInfo = Omit<StoredSigningKey, 'sealedPrivateKey'>

/** The key that signs now, opened once and held in memory. */
export interface SigningKey {
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  readonly privateKey: KeyObject
}

/** A JWK Set (RFC 7517 §5) of public keys. */
export interface JsonWebKeySet {
  readonly keys: readonly Readonly<Record<string, unknown>>[]
}
