import type { TesseraError } from '../explain/tessera-error.ts'
import type { KeySource, KeySourceState } from '../keys/key-source.ts'
import type { ReplayStore } from '../replay/replay-store.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import type { Clock } from '../token/clock.ts'
import type { JwsHeader, JwtClaims } from '../token/types.ts'

/** Tuning of a remote key set's cache (JWKS URL or discovery). */
export interface JwksCacheOptions {
  /** Longest time a fetched key set is used before a refresh, in seconds (default 600). */
  readonly maxAgeSeconds?: number
  /** Least time between two fetches caused by unknown kids, in seconds (default 30). */
  readonly cooldownSeconds?: number
  /** How long past its max age a set is still used while fetches fail, in seconds (default 3600). */
  readonly staleIfErrorSeconds?: number
  /** Fetch timeout in milliseconds (default 5000). */
  readonly timeoutMs?: number
  /** Largest response accepted, in bytes (default 512 KiB). */
  readonly maxBytes?: number
}

interface IssuerBase {
  /** The issuer identifier, compared with `iss` exactly (no normalisation). */
  readonly issuer: string
  /** Algorithms accepted from this issuer (default: every asymmetric algorithm; the key still binds the family). */
  readonly algorithms?: readonly JwsAlgorithm[]
  readonly cache?: JwksCacheOptions
}

/** A trusted issuer and where its keys come from: exactly one of `jwks`, `jwksUri`, `discovery`. */
export type IssuerOptions =
  | (IssuerBase & {
      readonly jwks: { readonly keys: readonly unknown[] }
      readonly jwksUri?: never
      readonly discovery?: never
      readonly keySource?: never
    })
  | (IssuerBase & {
      readonly jwksUri: string
      readonly jwks?: never
      readonly discovery?: never
      readonly keySource?: never
    })
  | (IssuerBase & {
      readonly discovery: true
      readonly jwks?: never
      readonly jwksUri?: never
      readonly keySource?: never
    })
  | (IssuerBase & {
      readonly keySource: KeySource
      readonly jwks?: never
      readonly jwksUri?: never
      readonly discovery?: never
    })

/** Options of `createVerifier`. */
export interface VerifierOptions {
  /** Trusted issuers; the token's `iss` selects one. */
  readonly issuers: readonly IssuerOptions[]
  /** This receiver's identifier(s); one must be in the token's `aud`. */
  readonly audience: string | readonly string[]
  /** Clock tolerance in seconds for exp, nbf and iat (default 60). */
  readonly leeway?: number
  /** Largest exp - iat accepted, in seconds. */
  readonly maxLifetime?: number
  /** Largest now - iat accepted, in seconds. */
  readonly maxTokenAge?: number
  /** Required header typ, compared as RFC 7515 §4.1.9 says (e.g. `at+jwt` for RFC 9068). */
  readonly typ?: string
  /** Claims that must be present. */
  readonly requiredClaims?: readonly string[]
  /** Accepted `sub` values (exact). */
  readonly subject?: string | readonly string[]
  /** When set, each token's `jti` is accepted once until its `exp` (jti becomes required). */
  readonly replay?: ReplayStore
  /** Epoch-seconds clock (default: system clock). */
  readonly clock?: Clock
  /** Largest compact token accepted, in bytes (default 16 KiB). */
  readonly maxTokenBytes?: number
}

/** A verified token. */
export interface VerifyResult {
  readonly claims: JwtClaims
  readonly header: JwsHeader
  /** The trusted issuer that signed it (equal to `claims.iss`). */
  readonly issuer: string
}

/** The outcome of one check in `evaluate`. */
export interface CheckResult {
  readonly name: CheckName
  /** `skipped` when a prerequisite failed or the check is not configured. */
  readonly status: 'ok' | 'failed' | 'skipped'
  readonly error?: TesseraError
  /** Why a check was skipped. */
  readonly reason?: string
}

/** Names of the checks, in pipeline order. */
export type CheckName =
  | 'decode'
  | 'crit'
  | 'typ'
  | 'issuer'
  | 'algorithm'
  | 'key'
  | 'signature'
  | 'audience'
  | 'expiry'
  | 'not_before'
  | 'issued_at'
  | 'lifetime'
  | 'token_age'
  | 'subject'
  | 'claims'
  | 'replay'

/** Every check run on one token, for diagnosis: nothing short-circuits, nothing is recorded. */
export interface Evaluation {
  readonly valid: boolean
  readonly checks: readonly CheckResult[]
  /** The most likely root cause among the failures. */
  readonly primary?: TesseraError
  /** Decoded (unverified unless `valid`) header and claims, when decoding succeeded. */
  readonly header?: JwsHeader
  readonly claims?: JwtClaims
}

/** Per-issuer diagnosis state. */
export interface IssuerState {
  readonly issuer: string
  readonly algorithms: readonly JwsAlgorithm[]
  readonly keys: KeySourceState
}

/** A configured verifier. */
export interface Verifier {
  /**
   * Verifies a compact JWT: decode, header, issuer, algorithm, key, signature, audience, time,
   * claims, replay — and throws the first failure.
   * @throws {TesseraError} any verification code
   */
  verify(token: string): Promise<VerifyResult>
  /** Runs every check without stopping at the first failure and without recording replay. */
  evaluate(token: string): Promise<Evaluation>
  /** The issuers and their key sources' state. */
  state(): readonly IssuerState[]
}
