import type { FastifyInstance } from 'fastify'
import { discoveryResponse } from '../../../issuer/index.ts'
import { sendCacheable } from '../send-cacheable.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `GET /.well-known/openid-configuration` (OIDC Discovery 1.0 §4): the issuer exactly as
 * configured, with the JWKS's cache lifetime so both refresh together, and an ETag.
 */
export function registerOpenidConfigurationRoute(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/.well-known/openid-configuration', async (request, reply) =>
    sendCacheable(request, reply, discoveryResponse(deps.config().issuer)),
  )
}
