import { quote, TesseraError } from '@tessera/verify'
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify'
import { correlationIdFor } from './correlation-id.ts'
import { createErrorHandler, renderTesseraError } from './error-handler.ts'
import { parseForm } from './form-parser.ts'
import { withStatus } from './http-error.ts'
import { registerAuditRoute } from './routes/audit.ts'
import { registerAwsStsRoute } from './routes/aws-sts.ts'
import { registerEntraRoutes } from './routes/entra.ts'
import { registerGoogleStsRoutes } from './routes/google-sts.ts'
import { registerHealthRoutes } from './routes/health.ts'
import { registerIdentityTokenRoute } from './routes/identity-token.ts'
import { registerJwksRoute } from './routes/jwks.ts'
import { registerOpenidConfigurationRoute } from './routes/openid-configuration.ts'
import { registerTokenRoute } from './routes/token.ts'
import type { ServerDeps } from './server-deps.ts'

/** Largest request header section accepted, in bytes (Node's default, stated here on purpose). */
export const maxHeaderBytes = 16 * 1024

// Path parameters are not used by any route; a small bound keeps the router's work bounded.
const maxParamLength = 100

// Idle keep-alive sockets are closed after this long; shorter than typical proxy timeouts.
const keepAliveTimeoutMs = 5000

/**
 * Builds the Fastify app over the parts: discovery, JWKS, the RFC 8693 token endpoint, the
 * workload identity endpoint, the audit API and the health probes. The body limit, timeouts
 * and TLS come from `config()` once, here; routes read `config()` per request.
 *
 * Every response carries `x-correlation-id` (the caller's safe `x-request-id`, else a UUID);
 * every error is JSON with a Tessera code, by the code's exposure.
 *
 * @example
 * ```ts
 * const app = buildServer({ config: () => current, engine, keys, audit: stores.audit, logger, ready })
 * await app.listen({ host: '127.0.0.1', port: 0 })
 * ```
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const { server } = deps.config()
  const options = {
    loggerInstance: deps.logger,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    bodyLimit: server.bodyLimitBytes,
    routerOptions: { maxParamLength },
    // connectionTimeout is the socket's inactivity timeout; requestTimeout bounds receiving
    // one whole request (Node answers 408), so a slow client cannot hold a socket open.
    connectionTimeout: server.requestTimeoutMs,
    requestTimeout: server.requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    return503OnClosing: true,
    // On close, idle keep-alive sockets go at once; sockets with a request in flight finish it.
    forceCloseConnections: 'idle',
    genReqId: correlationIdFor,
    requestIdHeader: false,
    trustProxy: false,
    http: { maxHeaderSize: maxHeaderBytes },
    ...(server.tls === undefined
      ? {}
      : { https: { cert: server.tls.cert, key: server.tls.key, maxHeaderSize: maxHeaderBytes } }),
  }
  // The https option only changes the underlying Node server; routes are written against
  // the plain instance type, which both share.
  const app = Fastify(options as FastifyServerOptions) as unknown as FastifyInstance

  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string))
      } catch (error) {
        done(error as Error, undefined)
      }
    },
  )

  // Callback style: an async hook costs a promise and a microtask on every response.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-correlation-id', request.id)
    done(null, payload)
  })

  app.setErrorHandler(createErrorHandler(renderTesseraError))
  app.setNotFoundHandler(async (request) => {
    throw withStatus(
      new TesseraError({
        code: 'invalid_request',
        check: 'route',
        message: `no endpoint ${request.method} ${quote(request.url.split('?')[0] ?? '')}`,
      }),
      404,
    )
  })

  registerOpenidConfigurationRoute(app, deps)
  registerJwksRoute(app, deps)
  registerTokenRoute(app, deps)
  registerGoogleStsRoutes(app, deps)
  registerIdentityTokenRoute(app, deps)
  registerAuditRoute(app, deps)
  registerAwsStsRoute(app, deps)
  registerEntraRoutes(app, deps)
  registerHealthRoutes(app, deps)
  return app
}
