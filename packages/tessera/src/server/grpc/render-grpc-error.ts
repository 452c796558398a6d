import { Metadata, status } from '@grpc/grpc-js'
import { codes, isTesseraError, TesseraError } from '@tessera/verify'
import { encodeStatusDetails } from '@tessera/verify/grpc'
import { callerExposure, policyOf } from '../../policy/index.ts'

/** A refused call as gRPC answers it: status code, details and trailing metadata. */
export interface GrpcErrorAnswer {
  readonly code: status
  readonly details: string
  readonly metadata: Metadata
  /** The error the answer was rendered from (an unexpected failure becomes `internal_error`). */
  readonly error: TesseraError
}

/** Trailing metadata keys Tessera sets on every refused call. */
export const errorMetadataKeys = Object.freeze({
  code: 'tessera-error-code',
  hint: 'tessera-error-hint',
  correlationId: 'tessera-correlation-id',
  statusDetails: 'grpc-status-details-bin',
} as const)

/**
 * Renders a rejection as a gRPC status, by the code's exposure exactly as the token-exchange
 * dialect renders it over HTTP (at most `summary` for an error about a policy): the status is
 * the code table's `grpc` column; `details` is the full message for `detail` exposure, else
 * `<code>: <summary>` (plus the deciding policy, and the author's message for
 * `condition_failed`, at `summary`). Trailing metadata carries `tessera-error-code`, the
 * correlation id, `tessera-error-hint` unless the code is `opaque`, and `grpc-status-details-bin`
 * (`google.rpc.Status` with `google.rpc.ErrorInfo { reason: <code>, domain: "tessera.dev",
 * metadata: { hint } }`, the hint under the same rule), as the verify adapter answers. Anything that is not a
 * `TesseraError` is answered as an opaque `internal_error`.
 */
export function renderGrpcError(thrown: unknown, correlationId: string): GrpcErrorAnswer {
  const error = isTesseraError(thrown)
    ? thrown
    : new TesseraError({ code: 'internal_error', message: 'unexpected failure', cause: thrown })
  const info = codes[error.code]
  const exposure = callerExposure(error)
  let details = `${error.code}: ${info.summary}`
  if (exposure === 'detail') details = error.message
  else if (exposure === 'summary') {
    const policy = policyOf(error)
    if (policy !== undefined) details += ` (policy "${policy}")`
    // A condition's message is the policy author's own text, written for the caller.
    if (error.code === 'condition_failed') details += `: ${error.message}`
  }
  const code = status[info.grpc]
  const hint = exposure !== 'opaque' ? error.hint : undefined
  const metadata = new Metadata()
  metadata.set(errorMetadataKeys.code, error.code)
  if (hint !== undefined) metadata.set(errorMetadataKeys.hint, hint)
  metadata.set(errorMetadataKeys.correlationId, correlationId)
  metadata.set(
    errorMetadataKeys.statusDetails,
    encodeStatusDetails(code, details, error.code, hint === undefined ? undefined : { hint }),
  )
  return { code, details, metadata, error }
}
