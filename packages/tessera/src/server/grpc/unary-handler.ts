import {
  type handleUnaryCall,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  status,
} from '@grpc/grpc-js'
import { isAudited } from '../../sts/index.ts'
import type { Logger } from '../../telemetry/index.ts'
import { newCorrelationId } from '../http/correlation-id.ts'
import { renderGrpcError } from './render-grpc-error.ts'

// As over HTTP (`x-request-id`), only a short inert token is taken over from the caller.
const safeId = /^[A-Za-z0-9._-]{1,64}$/

/** The call's correlation id: the caller's safe `x-request-id` metadata, else a new one. */
export function correlationIdOf(metadata: Metadata): string {
  const values = metadata.get('x-request-id')
  const value = values.length === 1 ? values[0] : undefined
  return typeof value === 'string' && safeId.test(value) ? value : newCorrelationId()
}

/** True when the call's deadline (a Date or epoch milliseconds; Infinity = none) has passed. */
export function deadlinePassed(deadline: Date | number, nowMs: number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline
  return at <= nowMs
}

/** What one unary RPC does: the request message and correlation id in, the response out. */
export type UnaryWork<Request, Response> = (
  request: Request,
  correlationId: string,
) => Promise<Response>

/**
 * Wraps `work` as a grpc-js unary handler that respects the call's deadline: a call whose
 * deadline already passed (or that the client cancelled) while queued is not worked on at all —
 * the client has its DEADLINE_EXCEEDED / CANCELLED already and minting a token nobody receives
 * would only fill the audit log; an answer ready after cancellation is dropped (logged). A
 * refusal is answered by `renderGrpcError` and logged like the HTTP transport logs it (code,
 * check, hint — never the message — at `info` when the engine audited it, at `warn` when it
 * was refused before the engine, at `error` with the cause for an internal error).
 */
export function unaryHandler<Request, Response>(
  method: string,
  logger: Logger,
  work: UnaryWork<Request, Response>,
  nowMs: () => number = Date.now,
): handleUnaryCall<Request, Response> {
  return (call: ServerUnaryCall<Request, Response>, callback: sendUnaryData<Response>) => {
    const correlationId = correlationIdOf(call.metadata)
    const log = logger.child({ correlationId, method })
    if (call.cancelled || deadlinePassed(call.getDeadline(), nowMs())) {
      log.warn('call not started: its deadline passed or it was cancelled')
      callback({
        code: status.DEADLINE_EXCEEDED,
        details: 'the deadline passed before the call started',
      })
      return
    }
    work(call.request, correlationId).then(
      (response) => {
        if (call.cancelled) {
          log.warn('call answered after it was cancelled or its deadline passed')
          return
        }
        callback(null, response)
      },
      (thrown: unknown) => {
        const answer = renderGrpcError(thrown, correlationId)
        const { code, check, hint, message } = answer.error
        if (code === 'internal_error') {
          log.error({ code, check, message, err: answer.error.cause ?? thrown }, 'call failed')
        } else {
          log[isAudited(answer.error) ? 'info' : 'warn']({ code, check, hint }, 'call refused')
        }
        if (call.cancelled) return
        callback({ code: answer.code, details: answer.details, metadata: answer.metadata })
      },
    )
  }
}
