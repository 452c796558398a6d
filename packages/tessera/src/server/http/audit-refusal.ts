import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import type { ExchangeEngine, RefusedRequest } from '../../sts/index.ts'
import { toHttpError, withStatus } from './http-error.ts'

/** A route-level Fastify error handler. */
export type RouteErrorHandler = (
  thrown: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
) => FastifyReply | Promise<FastifyReply>

/**
 * Wraps a dialect route's error handler so that every refusal decided before the engine ran —
 * by the transport (body size, media type, form syntax), the route or the dialect's parser —
 * is written to the audit log with its whole explanation before it is answered. A refusal the
 * engine already audited is not written twice (`engine.refuse` passes it through); unexpected
 * failures and `internal_error` are the server's own, logged in full by `handle`, not audited.
 * `describe` reads what the request presented; it must accept any body, since a refusal may
 * come before the body was checked.
 */
export function auditingErrorHandler(
  engine: ExchangeEngine,
  describe: (request: FastifyRequest) => RefusedRequest,
  handle: RouteErrorHandler,
): RouteErrorHandler {
  return async (thrown, request, reply) => {
    const http = toHttpError(thrown)
    if (http.unexpected || http.error.code === 'internal_error') {
      return handle(thrown, request, reply)
    }
    const answered = await engine.refuse(describe(request), http.error)
    // The status the transport chose (413, 415) stays with the error answered: `handle` reads
    // it again from the error, and a transport error converted above is a new object.
    if (answered === http.error && http.status !== undefined) withStatus(answered, http.status)
    return handle(answered, request, reply)
  }
}

/** A string field of a parsed body (form or JSON object), else undefined. */
export function bodyField(body: unknown, name: string): string | undefined {
  if (body instanceof URLSearchParams) return body.get(name) ?? undefined
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined
  const value = (body as Record<string, unknown>)[name]
  return typeof value === 'string' ? value : undefined
}
