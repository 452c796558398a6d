/**
 * @module @tessera/verify/grpc — a `@grpc/grpc-js` (≥ 1.10) server interceptor that verifies
 * every call, unary and streaming, with `verifier.verifyRequest`.
 */
import {
  Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerListener,
  type ServerMethodDefinition,
  status,
} from '@grpc/grpc-js'
import type { GrpcStatusName } from '../explain/codes.ts'
import type { RequestVerifyResult, VerifyRequestInput } from '../verifier/types.ts'
import {
  type AdapterOptions,
  type ResolvedAdapter,
  resolveAdapterOptions,
} from './adapter-options.ts'
import { encodeStatusDetails } from './grpc-status-details.ts'
import { rejectionOf } from './rejection.ts'
import { requestUrl } from './request-url.ts'

/** What `skip` sees of a call. */
export interface GrpcCallInfo {
  /** The method path, `/package.Service/Method`. */
  readonly path: string
}

/** Options of `tesseraServerInterceptor` (`realm` is not used: gRPC has no challenges). */
export interface GrpcAdapterOptions extends AdapterOptions<GrpcCallInfo> {}

/** The trailing metadata key naming the Tessera error code of a rejected call. */
export const errorCodeMetadataKey = 'tessera-error-code'

/** The trailing metadata key naming the near-miss hint id of a rejected call, when it has one. */
export const errorHintMetadataKey = 'tessera-error-hint'

// The verified result of a call, keyed by the call's request metadata: grpc-js hands the very
// Metadata object the interceptor passes on to the handler as `call.metadata`, for every call
// type, so a WeakMap needs no change to the metadata the application sees, and the entry goes
// away with the call. Stored only after verification succeeded.
const results = new WeakMap<Metadata, RequestVerifyResult>()

/**
 * The verified request of a call handled behind `tesseraServerInterceptor` (any call type:
 * pass the handler's `call`), or undefined when the call was skipped.
 */
export function tesseraResult(call: {
  readonly metadata: Metadata
}): RequestVerifyResult | undefined {
  return results.get(call.metadata)
}

const statusNumbers: Readonly<Record<GrpcStatusName, number>> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
  UNAVAILABLE: status.UNAVAILABLE,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  INTERNAL: status.INTERNAL,
}

// The status details depend only on the code and the hint, so each pair is encoded once.
const detailsCache = new Map<string, Buffer>()

function firstString(metadata: Metadata, key: string): string | undefined {
  const values = metadata.get(key)
  if (values.length === 0) return undefined
  // Several Authorization values are one ambiguous credential: joined, they fail to parse.
  return values.map(String).join(', ')
}

function callInput(
  adapter: ResolvedAdapter<GrpcCallInfo>,
  path: string,
  call: ServerInterceptingCallInterface,
  metadata: Metadata,
): VerifyRequestInput {
  // grpc-js reports an auth context only for TLS connections whose client certificate was
  // verified; with server-only TLS, `publicOrigin` is what makes the htu scheme https.
  const auth = call.getAuthContext?.()
  const secure = auth?.transportSecurityType === 'ssl'
  const input: { -readonly [K in keyof VerifyRequestInput]: VerifyRequestInput[K] } = {
    method: 'POST', // every gRPC call is an HTTP/2 POST to the method path
    url: requestUrl(adapter.publicOrigin, secure ? 'https' : 'http', call.getHost(), path),
  }
  const authorization = firstString(metadata, 'authorization')
  if (authorization !== undefined) input.authorization = authorization
  const dpop = metadata.get('dpop')
  if (dpop.length === 1) input.dpop = String(dpop[0])
  else if (dpop.length > 1) input.dpop = dpop.map(String)
  const raw = auth?.sslPeerCertificate?.raw
  if (raw !== undefined) input.clientCertificate = raw
  if (adapter.policy !== undefined) input.policy = adapter.policy
  return input
}

async function rejectCall(
  adapter: ResolvedAdapter<GrpcCallInfo>,
  call: ServerInterceptingCallInterface,
  error: unknown,
): Promise<void> {
  const rejection = rejectionOf(error)
  const code = statusNumbers[rejection.grpc]
  const hint = rejection.hint
  const key = hint === undefined ? rejection.code : `${rejection.code}/${hint}`
  let details = detailsCache.get(key)
  if (details === undefined) {
    details = encodeStatusDetails(
      code,
      rejection.description,
      rejection.code,
      hint === undefined ? undefined : { hint },
    )
    detailsCache.set(key, details)
  }
  const trailers = new Metadata()
  trailers.set(errorCodeMetadataKey, rejection.code)
  if (hint !== undefined) trailers.set(errorHintMetadataKey, hint)
  trailers.set('grpc-status-details-bin', details)
  if (rejection.code === 'use_dpop_nonce') {
    const nonce = await adapter.verifier.dpopNonce().catch(() => undefined)
    if (nonce !== undefined) trailers.set('dpop-nonce', nonce)
  }
  call.sendStatus({ code, details: rejection.description, metadata: trailers })
}

/**
 * A grpc-js server interceptor: verifies each call's `authorization` (and `dpop`) metadata with
 * `options.verifier.verifyRequest` (method `POST`, URL = origin + method path, the mTLS peer
 * certificate from the auth context) before the handler runs, for unary and streaming calls
 * alike. Handlers read the result with `tesseraResult(call)`. A rejected call ends with the
 * code table's status (`UNAUTHENTICATED`, `PERMISSION_DENIED`, …), details
 * `<code>: <summary>`, and trailers `tessera-error-code`, `tessera-error-hint` (when the
 * rejection carries a near-miss hint) and `grpc-status-details-bin` (`google.rpc.Status` with a
 * `google.rpc.ErrorInfo { reason: <code>, domain: "tessera.dev", metadata: { hint } }`).
 * @throws {TesseraError} `invalid_options` when the options are invalid
 */
export function tesseraServerInterceptor(options: GrpcAdapterOptions): ServerInterceptor {
  const adapter = resolveAdapterOptions<GrpcCallInfo>('tesseraServerInterceptor', options)
  const { verifier, skip } = adapter
  return (
    method: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ) => {
    if (skip?.({ path: method.path })) return new ServerInterceptingCall(call)
    const listener: ServerListener = {
      onReceiveMetadata(metadata, next) {
        verifier.verifyRequest(callInput(adapter, method.path, call, metadata)).then(
          (result) => {
            results.set(metadata, result)
            next(metadata)
          },
          (error: unknown) => rejectCall(adapter, call, error),
        )
      },
    }
    return new ServerInterceptingCall(call, { start: (next) => next(listener) })
  }
}

export { tesseraCallCredentials } from './grpc-credentials.ts'
export {
  decodeErrorInfo,
  decodeStatusDetails,
  type ErrorInfo,
  encodeStatusDetails,
  errorInfoDomain,
  errorInfoTypeUrl,
  type GrpcStatusDetails,
} from './grpc-status-details.ts'
