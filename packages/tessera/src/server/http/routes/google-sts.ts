import { decodeJwt } from '@tessera/verify'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import {
  type GoogleStsErrorContext,
  parseGenerateAccessToken,
  parseGoogleSts,
  renderGenerateAccessToken,
  renderGenerateAccessTokenError,
  renderGoogleSts,
  renderGoogleStsError,
} from '../../../sts/index.ts'
import { auditingErrorHandler, bodyField } from '../audit-refusal.ts'
import { createErrorHandler } from '../error-handler.ts'
import type { ServerDeps } from '../server-deps.ts'

// What Google's STS messages print of a refused request, kept until its error is rendered.
const stsContexts = new WeakMap<FastifyRequest, GoogleStsErrorContext>()

// The presented token's iss, aud and iat, read without verification: Google's messages print
// them, and a token that failed verification is exactly the one whose values are asked about.
function presentedValues(token: string): GoogleStsErrorContext {
  try {
    const { claims } = decodeJwt(token, 16 * 1024)
    const aud = claims.aud
    return {
      ...(typeof claims.iss === 'string' ? { tokenIssuer: claims.iss } : {}),
      ...(typeof aud === 'string' ? { tokenAudience: [aud] } : {}),
      ...(Array.isArray(aud) ? { tokenAudience: aud.filter((a) => typeof a === 'string') } : {}),
      ...(typeof claims.iat === 'number' ? { tokenIssuedAt: claims.iat } : {}),
    }
  } catch {
    return {}
  }
}

function presented(token: string | undefined): { subjectToken?: string } {
  return token === undefined ? {} : { subjectToken: token }
}

// The STS token a generateAccessToken call presents, for the audit record's hash only.
function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer +(\S+)$/i.exec(authorization ?? '')
  return match?.[1]
}

/**
 * Google's STS and IAM Credentials endpoints, as an `external_account` credential file calls
 * them: `POST /v1/token` (RFC 8693, form or JSON, errors as Google's `{error,
 * error_description}`) and `POST /v1/projects/-/serviceAccounts/<email>:generateAccessToken`
 * (`Authorization: Bearer <STS token>`, errors as `{error: {code, message, status}}`). Both run
 * the one exchange engine under the `clouds.gcp` section's implied policies; every error also
 * carries `Tessera-Error-Code` (and `Tessera-Error-Hint`), and every refusal is audited, those
 * decided before the engine included (provider lookup, request checks).
 */
export function registerGoogleStsRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post(
    '/v1/token',
    {
      errorHandler: auditingErrorHandler(
        deps.engine,
        (request) => ({
          dialect: 'google-sts',
          correlationId: request.id,
          ...presented(bodyField(request.body, 'subject_token')),
        }),
        (error, request, reply) =>
          createErrorHandler((e) => renderGoogleStsError(e, stsContexts.get(request) ?? {}))(
            error,
            request,
            reply,
          ),
      ),
    },
    async (request, reply) => {
      const { exchange, provider } = parseGoogleSts(
        request.body,
        deps.config().clouds.gcp,
        request.id,
      )
      stsContexts.set(request, {
        ...presentedValues(exchange.subjectToken),
        providerIssuer: provider.issuer,
      })
      const rendered = renderGoogleSts(await deps.engine.exchange(exchange))
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
    },
  )
  app.post(
    '/v1/projects/-/serviceAccounts/:resource',
    {
      errorHandler: auditingErrorHandler(
        deps.engine,
        (request) => ({
          dialect: 'google-iam-credentials',
          correlationId: request.id,
          ...presented(bearerToken(request.headers.authorization)),
        }),
        createErrorHandler((error) => renderGenerateAccessTokenError(error)),
      ),
    },
    async (request, reply) => {
      const { resource } = request.params as { resource: string }
      const { exchange } = parseGenerateAccessToken(
        { resource, authorization: request.headers.authorization, body: request.body },
        deps.config().clouds.gcp,
        request.id,
      )
      const result = await deps.engine.exchange(exchange)
      // expireTime is the minted token's own exp, read back from it (the engine decided it).
      const { claims } = decodeJwt(result.accessToken, 16 * 1024)
      const rendered = renderGenerateAccessToken(result.accessToken, claims.exp as number)
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body)
    },
  )
}
