import type { JwsAlgorithm } from '../token/algorithms.ts'
import type { RejectedKey, VerificationKey } from './verification-key.ts'

/** What a key source knows about itself, for diagnosis (`tessera doctor`, health endpoints). */
export interface KeySourceState {
  readonly kind: 'inline' | 'jwks_uri' | 'discovery'
  /** The JWKS URL, for remote sources (after discovery, once known). */
  readonly jwksUri?: string
  /** Epoch seconds of the last successful fetch (remote sources). */
  readonly fetchedAt?: number
  /** Epoch seconds after which the cached set is refreshed before use. */
  readonly expiresAt?: number
  readonly kids: readonly string[]
  readonly rejected: readonly RejectedKey[]
  /** The last fetch failure, redacted, with its epoch seconds. */
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: number }
  /** Successful fetches so far. */
  readonly fetches: number
}

/**
 * Where an issuer's verification keys come from. `select` is synchronous whenever the keys
 * are at hand (the hot path) and returns a promise only when it must fetch.
 */
export interface KeySource {
  /**
   * Returns the keys that may verify a token with this kid and alg (at least one).
   * @throws {TesseraError} `unknown_key`, `key_type_mismatch`, `jwks_unavailable`, `discovery_mismatch`
   */
  select(
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]>
  state(): KeySourceState
}
