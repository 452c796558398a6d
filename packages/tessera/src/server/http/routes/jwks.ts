import type { FastifyInstance } from 'fastify'
import { jwksResponse } from '../../../issuer/index.ts'
import { sendCacheable } from '../send-cacheable.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `GET /.well-known/jwks.json`: the published keys (pending, active, retired-but-published),
 * with Cache-Control from the rotation schedule (max age ≤ pre-publication time, so a cached
 * set always holds the next key before it signs) and an ETag for conditional requests.
 */
export function registerJwksRoute(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/.well-known/jwks.json', async (request, reply) =>
    sendCacheable(request, reply, jwksResponse(deps.keys, deps.config().issuer)),
  )
}
