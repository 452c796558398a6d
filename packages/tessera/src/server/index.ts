/**
 * @module server — the HTTP transport over the parts: Fastify app, routes, error rendering,
 * health. A composition root: it may import every part (through each part's index.ts).
 */

export { buildServer, maxHeaderBytes } from './http/build-server.ts'
export type { ErrorBody } from './http/error-body.ts'
export type { ServerDeps } from './http/server-deps.ts'
