import { TesseraError } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import {
  parseTokenExchange,
  renderTokenExchange,
  renderTokenExchangeError,
} from '../../../sts/index.ts'
import { createErrorHandler } from '../error-handler.ts'
import { withStatus } from '../http-error.ts'
import type { ServerDeps } from '../server-deps.ts'
import { createTokenRequestDpop } from '../token-dpop.ts'

/**
 * `POST /oauth2/token`: OAuth 2.0 Token Exchange (RFC 8693), DPoP-bound when the request
 * carries a `DPoP` proof (RFC 9449 §5). Form-encoded only (RFC 6749 §3.2); every error,
 * including the transport's, is rendered as RFC 6749 §5.2 JSON with Tessera's code and the
 * correlation id. Responses are never cached (RFC 6749 §5.1).
 */
export function registerTokenRoute(app: FastifyInstance, deps: ServerDeps): void {
  const dpopOf = createTokenRequestDpop(deps.dpop)
  app.post(
    '/oauth2/token',
    { errorHandler: createErrorHandler(renderTokenExchangeError) },
    async (request, reply) => {
      const form = request.body
      if (!(form instanceof URLSearchParams)) {
        throw withStatus(
          new TesseraError({
            code: 'invalid_request',
            check: 'request',
            message:
              form === undefined
                ? 'token request has no body: send the parameters form-encoded'
                : 'token request is not form-encoded: send application/x-www-form-urlencoded',
          }),
          form === undefined ? 400 : 415,
        )
      }
      const exchange = parseTokenExchange(form, request.headers, {
        correlationId: request.id,
      })
      // RFC 9449 §5: a proof with the token request binds the token to the proof's key. It is
      // checked after the form, so a malformed request does not spend the proof's jti.
      const proof = await dpopOf(request.headers.dpop, deps.config().server.publicUrl)
      const rendered = renderTokenExchange(
        await deps.engine.exchange(
          proof === undefined ? exchange : { ...exchange, dpopJkt: proof.jkt },
        ),
      )
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
    },
  )
}
