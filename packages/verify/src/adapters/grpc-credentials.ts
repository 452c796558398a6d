import { type CallCredentials, credentials, Metadata, status } from '@grpc/grpc-js'
import type { TokenSource } from '../client/token-source.ts'
import { codes, type GrpcStatusName } from '../explain/codes.ts'
import { isTesseraError } from '../explain/tessera-error.ts'

const statusOf: Readonly<Record<GrpcStatusName, number>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAVAILABLE: status.UNAVAILABLE,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  INTERNAL: status.INTERNAL,
}

/**
 * gRPC call credentials that put `authorization: Bearer <token>` from `source` on every call.
 * grpc-js sends call credentials only over a secure channel: combine them with
 * `credentials.createSsl(...)` via `credentials.combineChannelCredentials`. When the source
 * has no token the call fails before it is sent, with the status the code table gives the
 * source's error code (grpc-js turns control-plane statuses such as INVALID_ARGUMENT into
 * INTERNAL) and details `tessera <code>: <message>`.
 * @example
 * const client = new Greeter('payments:443', credentials.combineChannelCredentials(
 *   credentials.createSsl(), tesseraCallCredentials(source)))
 */
export function tesseraCallCredentials(source: TokenSource): CallCredentials {
  return credentials.createFromMetadataGenerator((_params, callback) => {
    source.token().then(
      (token) => {
        const metadata = new Metadata()
        metadata.set('authorization', `Bearer ${token}`)
        callback(null, metadata)
      },
      (error: unknown) => {
        const code = isTesseraError(error) ? error.code : 'internal_error'
        const message = isTesseraError(error) ? error.message : 'the token source failed'
        const failure = Object.assign(new Error(`tessera ${code}: ${message}`, { cause: error }), {
          code: statusOf[codes[code].grpc],
        })
        callback(failure)
      },
    )
  })
}
