import type { FastifyInstance } from 'fastify'
import type { ServerDeps } from '../server-deps.ts'

// A store that does not answer within this time is reported as not ready rather than
// letting the probe hang past the orchestrator's own timeout.
const storeProbeTimeoutMs = 2000

/**
 * `GET /healthz` (liveness: 200 whenever the process serves HTTP) and `GET /readyz`
 * (readiness: 200 only when the server is serving, a signing key is loaded and the store
 * answers; else 503 with every reason, so an operator sees all of them at once).
 */
export function registerHealthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' }
  })

  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    const reasons = await notReadyReasons(deps)
    if (reasons.length === 0) return { status: 'ready' }
    return reply.code(503).send({ status: 'not_ready', reasons })
  })
}

async function notReadyReasons(deps: ServerDeps): Promise<string[]> {
  const reasons: string[] = []
  if (!deps.ready()) reasons.push('server is starting or closing')
  try {
    deps.keys.signingKey()
  } catch {
    reasons.push('no active signing key is loaded')
  }
  const store = await probeStore(deps)
  if (store !== undefined) reasons.push(store)
  return reasons
}

async function probeStore(deps: ServerDeps): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(
      () => resolve(`store did not answer within ${storeProbeTimeoutMs} ms`),
      storeProbeTimeoutMs,
    )
    timer.unref()
  })
  try {
    return await Promise.race([deps.audit.query({ limit: 1 }).then(() => undefined), timeout])
  } catch (error) {
    deps.logger.warn({ err: error }, 'store probe failed')
    return 'store does not answer'
  } finally {
    clearTimeout(timer)
  }
}
