import { codes, type ErrorCode, type GrpcStatusName } from '../explain/codes.ts'
import type { HintId } from '../explain/hint-id.ts'
import { isTesseraError } from '../explain/tessera-error.ts'

/** The `error` values a receiver answers with (RFC 6750 §3.1, RFC 9449 §7.1 and §8, RFC 6749 §5.2). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'temporarily_unavailable'
  | 'server_error'

/** How an adapter answers one rejected request; built from the code table only. */
export interface Rejection {
  readonly code: ErrorCode
  /** HTTP status from the code table. */
  readonly status: number
  /** gRPC status name from the code table. */
  readonly grpc: GrpcStatusName
  /**
   * The `error` of the WWW-Authenticate challenge; absent for `missing_credentials`
   * (RFC 6750 §3.1: no error code when the request carried no credentials) and for 5xx answers,
   * which are not authentication failures and carry no challenge.
   */
  readonly challengeError?: OAuthErrorCode
  /** The `error` of the JSON body (`invalid_request` when the challenge has none). */
  readonly error: OAuthErrorCode
  /** `<code>: <summary from the code table>`; never a value taken from the request. */
  readonly description: string
  /** True when the DPoP challenge, not the Bearer one, should carry the error. */
  readonly dpop: boolean
  /** A near-miss hint id (a stable identifier, never a value), for codes of `detail` exposure. */
  readonly hint?: HintId
}

/** The JSON body of a rejected HTTP request. */
export interface RejectionBody {
  readonly error: OAuthErrorCode
  readonly error_description: string
  readonly code: ErrorCode
  readonly hint?: HintId
}

// Codes about the proof or its binding: their challenge is the DPoP one (RFC 9449 §7.1, §7.2).
const dpopCodes = new Set<ErrorCode>([
  'invalid_dpop_proof',
  'dpop_replay',
  'use_dpop_nonce',
  'bound_token_as_bearer',
])

function challengeErrorOf(code: ErrorCode, status: number): OAuthErrorCode | undefined {
  if (code === 'missing_credentials' || status >= 500) return undefined
  // RFC 9449 §7.1: a proof that fails validation, replayed proofs included, is invalid_dpop_proof.
  if (code === 'invalid_dpop_proof' || code === 'dpop_replay') return 'invalid_dpop_proof'
  if (code === 'use_dpop_nonce') return 'use_dpop_nonce'
  // RFC 6750 §3.1: 403 is "insufficient_scope" (the token is fine, its privileges are not).
  if (status === 403) return 'insufficient_scope'
  if (status === 400) return 'invalid_request'
  return 'invalid_token'
}

function bodyErrorOf(status: number, challenge: OAuthErrorCode | undefined): OAuthErrorCode {
  if (challenge !== undefined) return challenge
  if (status === 503) return 'temporarily_unavailable'
  if (status >= 500) return 'server_error'
  return 'invalid_request'
}

function build(code: ErrorCode): Rejection {
  const info = codes[code]
  const challengeError = challengeErrorOf(code, info.http)
  return Object.freeze({
    code,
    status: info.http,
    grpc: info.grpc,
    ...(challengeError === undefined ? {} : { challengeError }),
    error: bodyErrorOf(info.http, challengeError),
    description: `${code}: ${info.summary}`,
    dpop: dpopCodes.has(code),
  })
}

// Every code's answer is fixed by the table, so it is built once, not per request.
const byCode = new Map<ErrorCode, Rejection>(
  (Object.keys(codes) as ErrorCode[]).map((code) => [code, build(code)]),
)

/**
 * Maps anything a verifier threw to the answer an adapter sends. A `TesseraError` keeps its
 * code (and its hint, for codes of `detail` exposure); anything else is `internal_error`, so an
 * unexpected failure never leaks its message.
 */
export function rejectionOf(error: unknown): Rejection {
  const code: ErrorCode = isTesseraError(error) ? error.code : 'internal_error'
  const base = byCode.get(code) ?? (byCode.get('internal_error') as Rejection)
  if (!isTesseraError(error) || error.hint === undefined || codes[code].exposure !== 'detail')
    return base
  return { ...base, hint: error.hint }
}

/** The JSON body of an HTTP rejection: `{ error, error_description, code, hint? }`. */
export function rejectionBody(rejection: Rejection): RejectionBody {
  return {
    error: rejection.error,
    error_description: rejection.description,
    code: rejection.code,
    ...(rejection.hint === undefined ? {} : { hint: rejection.hint }),
  }
}
