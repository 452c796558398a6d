import { TesseraError } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { renderTokenExchangeError } from '../../../sts/index.ts'
import { createErrorHandler } from '../error-handler.ts'
import { withStatus } from '../http-error.ts'
import { parseIdentityRequest } from '../parse-identity-request.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `POST /v1/identity/token`: a workload presents a join token or an upstream OIDC token and
 * gets a short-lived identity token (`sub` = SPIFFE ID). Errors use the token endpoint's
 * RFC 6749 §5.2 format, so a client of both endpoints parses one shape.
 */
export function registerIdentityTokenRoute(app: FastifyInstance, deps: ServerDeps): void {
  app.post(
    '/v1/identity/token',
    { errorHandler: createErrorHandler(renderTokenExchangeError) },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      if (request.body instanceof URLSearchParams) {
        throw withStatus(
          new TesseraError({
            code: 'invalid_request',
            check: 'request',
            message: 'identity token request is not JSON: send application/json',
          }),
          415,
        )
      }
      const body = parseIdentityRequest(request.body)
      const result = await deps.engine.issueIdentity({ ...body, correlationId: request.id })
      return { token: result.token, expires_in: result.expiresIn, sub: result.subject }
    },
  )
}
