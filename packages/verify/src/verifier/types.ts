import type { X509Certificate } from 'node:crypto'
import type { DelegationOptions } from '../authorize/delegation.ts'
import type { RequestPolicy } from '../authorize/request-policy.ts'
import type { DpopOptions } from '../dpop/types.ts'
import type { ErrorCode } from '../explain/codes.ts'
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
  /** Accept the `DPoP` scheme with these settings (RFC 9449); absent: only `Bearer` is accepted. */
  readonly dpop?: DpopOptions
  /** Rules for `act` delegation chains, checked by `verifyRequest`. */
  readonly delegation?: DelegationOptions
  /** Evaluated after verification on every verifyRequest (and after the per-call policy). */
  readonly policy?: RequestPolicy | readonly RequestPolicy[]
  /** Called once per verify/verifyRequest decision; never receives a token. Errors thrown by it are swallowed. */
  readonly onDecision?: (event: DecisionEvent) => void
}

/** How a request's token was presented and bound. */
export type RequestBinding = 'bearer' | 'dpop' | 'mtls'

/** One HTTP (or gRPC) request to verify, as the transport received it. */
export interface VerifyRequestInput {
  /** The request method, compared with a DPoP proof's `htm` exactly. */
  readonly method: string
  /** Absolute URL as the client addressed it (query allowed; ignored for `htu`). */
  readonly url: string
  /** The Authorization header value as received: `Bearer <token>` or `DPoP <token>`. */
  readonly authorization?: string
  /** DPoP header value(s) as received. */
  readonly dpop?: string | readonly string[]
  /** DER bytes or the X509Certificate of the mTLS peer. */
  readonly clientCertificate?: Buffer | X509Certificate
  /** Route-level policy, evaluated before `options.policy`. */
  readonly policy?: RequestPolicy | readonly RequestPolicy[]
}

/** A verified request. */
export interface RequestVerifyResult extends VerifyResult {
  /** `dpop` under the DPoP scheme; else `mtls` when `cnf["x5t#S256"]` was checked; else `bearer`. */
  readonly binding: RequestBinding
  /** The outermost `act.sub`, when the token has `act`. */
  readonly actor?: string
  /** RFC 7638 thumbprint of the proof key, for `dpop`. */
  readonly dpopJkt?: string
}

/** What `onDecision` is told about one decision: never the token. */
export interface DecisionEvent {
  readonly kind: 'verify' | 'request'
  readonly outcome: 'accepted' | 'rejected'
  /** On rejection by a `TesseraError`. */
  readonly code?: ErrorCode
  readonly check?: string
  /** A configured issuer (on rejection only when the token named one). */
  readonly issuer?: string
  /** The configured audience the token matched (accepted only). */
  readonly audience?: string
  readonly subject?: string
  readonly actor?: string
  readonly binding?: RequestBinding
  readonly latencyMs: number
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
  /**
   * Verifies a request: the Authorization scheme and token, the token (as `verify`), the DPoP
   * proof and `cnf.jkt` binding, the `cnf["x5t#S256"]` certificate binding, the delegation
   * chain, then the route's and the options' policies — and throws the first failure.
   * @throws {TesseraError} `missing_credentials`, any `verify` code, `invalid_dpop_proof`,
   *   `dpop_replay`, `use_dpop_nonce`, `binding_mismatch`, `bound_token_as_bearer`,
   *   `delegation_too_deep`, `actor_not_allowed`, or a policy's code
   */
  verifyRequest(input: VerifyRequestInput): Promise<RequestVerifyResult>
  /** Current DPoP nonce (for the DPoP-Nonce header), or undefined when nonces are off. */
  dpopNonce(): Promise<string | undefined>
  /** Algorithms accepted for DPoP proofs (for WWW-Authenticate `algs`); empty when DPoP is off. */
  readonly dpopAlgorithms: readonly JwsAlgorithm[]
}
