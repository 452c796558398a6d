import type {
  Clock,
  ErrorCode,
  HintId,
  ReplayStore,
  ShownValue,
  TesseraError,
  Verifier,
} from '@tessera/verify'
import type { IssuerSettings, JoinTokenStore, Minter } from '../issuer/index.ts'
import type { CompiledPolicySet } from '../policy/index.ts'
import type { CanonicalExchange, IssuedTokenType } from './canonical.ts'
import type { SamlOutcome, SamlTrust } from './saml-subject.ts'

/** One audit record: every issuance and every exchange, allowed or denied. No token, ever. */
export interface AuditRecord {
  /** Epoch milliseconds. */
  readonly time: number
  readonly correlationId: string
  /** `exchange` (RFC 8693 and later dialects) or `identity` (workload identity token). */
  readonly kind: 'exchange' | 'identity'
  readonly dialect: string
  /** The client's `client_id` when the request named one: recorded, never authenticated. */
  readonly clientId?: string
  readonly decision: 'allow' | 'deny'
  readonly code?: ErrorCode
  /** The check that refused the request. */
  readonly check?: string
  /** What the check expected and what it found, already redacted (`TesseraError` fields). */
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  /** The full explanation (audit only; callers see less, per the code's exposure). */
  readonly message?: string
  readonly policy?: string
  readonly presented?: {
    readonly iss?: string
    readonly sub?: string
    readonly aud?: readonly string[]
    /** SHA-256 hex of the presented subject token. */
    readonly tokenSha256?: string
    readonly actorSub?: string
  }
  readonly issued?: {
    readonly sub: string
    readonly aud: string
    readonly scope?: string
    readonly exp: number
    readonly jti: string
    readonly tokenSha256: string
  }
}

/** Filters of `GET /v1/audit` and `tessera audit tail`. */
export interface AuditQuery {
  readonly decision?: 'allow' | 'deny'
  readonly kind?: 'exchange' | 'identity'
  readonly code?: string
  readonly policy?: string
  readonly correlationId?: string
  /** Epoch milliseconds, inclusive. */
  readonly since?: number
  /** Page size (default 50, max 500). */
  readonly limit?: number
  /** Opaque cursor from the previous page (records older than it). */
  readonly before?: string
}

/** A page of audit records, newest first. */
export interface AuditPage {
  readonly records: readonly (AuditRecord & { readonly id: string })[]
  /** Cursor for the next (older) page, absent on the last page. */
  readonly next?: string
}

/** Where audit records go; implemented by the store. `append` resolves once durable. */
export interface AuditSink {
  append(record: AuditRecord): Promise<void>
  query(query: AuditQuery): Promise<AuditPage>
}

/** A successful exchange, before a dialect renders it (RFC 8693 §2.2.1 fields, camelCase). */
export interface ExchangeResult {
  /** The minted RFC 9068 `at+jwt`. */
  readonly accessToken: string
  /** `requested_token_type` when given, else `urn:ietf:params:oauth:token-type:access_token`. */
  readonly issuedTokenType: IssuedTokenType
  /** `DPoP` when the token is bound to a DPoP proof key (RFC 9449 §5), else `Bearer`. */
  readonly tokenType: 'Bearer' | 'DPoP'
  /** Seconds until `exp`. */
  readonly expiresIn: number
  /** The granted scopes, space-separated; absent when none were granted. */
  readonly scope?: string
  readonly correlationId: string
  /** The validated assertion, when the subject token was a SAML Response (AWS renders it). */
  readonly saml?: SamlOutcome
}

/** A request for a workload identity token: exactly one of `joinToken` or `subjectToken`. */
export interface IdentityRequest {
  /** Correlation id; empty lets the engine create one. */
  readonly correlationId: string
  /** A one-time join token (`tjt_…`) attesting a SPIFFE ID. */
  readonly joinToken?: string
  /** An upstream OIDC token (Kubernetes, CI) to verify and match against `identity` policies. */
  readonly subjectToken?: string
  /** The one audience of the identity token. */
  readonly audience: string
  /** Requested lifetime, seconds (capped by `identityTokenTtlSeconds` and the policy). */
  readonly ttlSeconds?: number
}

/** A minted workload identity token. */
export interface IdentityResult {
  /** The JWT (`typ: JWT`), `sub` = the SPIFFE ID. */
  readonly token: string
  readonly subject: string
  readonly audience: string
  /** Seconds until `exp`. */
  readonly expiresIn: number
  /** `exp`, epoch seconds. */
  readonly expiresAt: number
  readonly correlationId: string
}

/** Everything the exchange engine works with; each part is passed in, none imported. */
export interface EngineDeps {
  /** Trusted issuers and Tessera itself; audience = the audiences policies accept. */
  readonly verifier: Verifier
  /** The current compiled policies, read once per request (hot-reload safe). */
  readonly policies: () => CompiledPolicySet
  readonly minter: Minter
  readonly replay: ReplayStore
  readonly audit: AuditSink
  readonly settings: IssuerSettings
  /** Epoch seconds. */
  readonly clock: Clock
  /** Creates correlation ids for requests that arrive without one (default `randomUUID`). */
  readonly newCorrelationId?: () => string
  /** Where one-time join tokens are redeemed; without it, `issueIdentity` refuses join tokens. */
  readonly joinTokens?: JoinTokenStore
  /** SAML IdPs and Tessera as an SP, read once per request; without it, SAML tokens are refused. */
  readonly saml?: () => SamlTrust | undefined
}

/**
 * A request a dialect or its transport refused before the engine ran (unknown role or tenant,
 * a federated credential that matched nothing, a parameter out of bounds, a body too large):
 * what its audit record shows.
 */
export interface RefusedRequest {
  /** The dialect the request spoke (`aws-sts`, `entra`, `google-sts`, …). */
  readonly dialect: string
  /** The request's correlation id; empty lets the engine create one. */
  readonly correlationId: string
  /** The `client_id` the request named, when it got far enough to name one (recorded only). */
  readonly clientId?: string
  /** The presented token when one was read: the record keeps its hash, never the token. */
  readonly subjectToken?: string
}

/** The one exchange engine every dialect and the identity endpoint call. */
export interface ExchangeEngine {
  /**
   * Exchanges a verified subject token for an RFC 9068 access token the policies allow.
   * Audited (allow or deny) before it resolves or rejects.
   * @throws {TesseraError} any verification code, a policy code, `invalid_request`,
   * `unsupported_token_type`, `replay`, `missing_claim`, or `internal_error`
   */
  exchange(request: CanonicalExchange): Promise<ExchangeResult>
  /**
   * Issues a workload identity token for a join token or a verified upstream token.
   * Audited (allow or deny) before it resolves or rejects.
   * @throws {TesseraError} `join_token_invalid`, any verification code, a policy code,
   * `invalid_request`, `subject_mismatch`, `replay`, or `internal_error`
   */
  issueIdentity(request: IdentityRequest): Promise<IdentityResult>
  /**
   * Writes the deny record of a request refused before `exchange` ran, so that every refusal
   * of every dialect has its explanation in the audit log. An error the engine already audited
   * is not written again (one record per request).
   * @returns the error to answer with: `error` itself, or `internal_error` when the record
   * could not be written (a refusal missing from the log must not pass unnoticed)
   */
  refuse(request: RefusedRequest, error: TesseraError): Promise<TesseraError>
}
