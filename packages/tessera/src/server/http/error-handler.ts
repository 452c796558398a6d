import type { TesseraError } from '@tessera/verify'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { callerExposure } from '../../policy/index.ts'
import { isAudited } from '../../sts/index.ts'
import { renderErrorBody } from './error-body.ts'
import { toHttpError } from './http-error.ts'

/** Renders a refused request in one wire format: a status and a JSON body. */
export type ErrorRenderer = (
  error: TesseraError,
  correlationId: string,
) => {
  readonly status: number
  readonly body: unknown
  /** Headers the format adds (e.g. `pragma: no-cache` on token errors). */
  readonly headers?: Readonly<Record<string, string>>
}

/** Tessera's own format (`/v1/…`, discovery, health): status from the code table. */
export const renderTesseraError: ErrorRenderer = (error, correlationId) => ({
  status: error.info.http,
  body: renderErrorBody(error, correlationId),
})

/**
 * `Tessera-Error-Code`, and `Tessera-Error-Hint` unless the code is opaque to the caller: on
 * every error answer in every format, the transport's own (404, 413, 415) included, so a
 * client of any dialect finds Tessera's code in the same place.
 */
export function tesseraErrorHeaders(error: TesseraError): Record<string, string> {
  const headers: Record<string, string> = { 'tessera-error-code': error.code }
  if (error.hint !== undefined && callerExposure(error) !== 'opaque') {
    headers['tessera-error-hint'] = error.hint
  }
  return headers
}

/**
 * Creates a Fastify error handler that answers every error in `render`'s format: the
 * transport's status where it chose one (413, 415), else the renderer's. An unexpected error
 * is logged in full with the correlation id and answered as an opaque `internal_error`.
 * A refusal is logged with its code, check and hint under the correlation id (never its
 * message or values): at `info` when the engine audited it (the audit log has the rest), at
 * `warn` when it was refused before the engine — body size, media type, form syntax, grant
 * type, parameters — since nothing else records those and the default level must show them.
 * An `internal_error` is logged at `error` with its message.
 */
export function createErrorHandler(render: ErrorRenderer) {
  return function handleError(
    thrown: FastifyError | Error,
    request: FastifyRequest,
    reply: FastifyReply,
  ): FastifyReply {
    const http = toHttpError(thrown)
    if (http.unexpected) request.log.error({ err: thrown }, 'request failed')
    else if (http.error.code === 'internal_error') {
      // The server's own failure (the audit sink, a key): the caller saw nothing, and when the
      // audit write is what failed the log is the only place the (redacted) message lands.
      const { code, check, message } = http.error
      request.log.error({ code, check, message }, 'request failed')
    } else {
      const { code, check, hint } = http.error
      request.log[isAudited(http.error) ? 'info' : 'warn']({ code, check, hint }, 'request refused')
    }
    const rendered = render(http.error, request.id)
    return reply
      .code(http.status ?? rendered.status)
      .headers({
        'cache-control': 'no-store',
        ...tesseraErrorHeaders(http.error),
        ...rendered.headers,
      })
      .type('application/json; charset=utf-8')
      .send(rendered.body)
  }
}
