import { TesseraError } from '@tessera/verify'
import type { FastifyInstance } from 'fastify'
import { isLoopbackAddress } from '../is-loopback-address.ts'
import { parseAuditQuery } from '../parse-audit-query.ts'
import type { ServerDeps } from '../server-deps.ts'

/**
 * `GET /v1/audit`: a page of audit records, newest first, filtered by the query string
 * (`decision`, `kind`, `code`, `policy`, `correlationId`, `since`, `limit`, `before`).
 *
 * Served to loopback peers only: records name the subjects, issuers and policies of every
 * caller, so until the server has an authenticated admin API the rule is "the operator on
 * this host". The peer address is the socket's; forwarding headers are not trusted.
 */
export function registerAuditRoute(app: FastifyInstance, deps: ServerDeps): void {
  app.get(
    '/v1/audit',
    {
      onRequest: async (request) => {
        if (!isLoopbackAddress(request.socket.remoteAddress)) {
          // policy_denied: a built-in deny rule (loopback only) matched the caller; 403, and
          // its `summary` exposure tells a remote caller no more than that.
          throw new TesseraError({
            code: 'policy_denied',
            check: 'audit_access',
            message: 'the audit log is served to loopback clients only',
          })
        }
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store')
      return deps.audit.query(parseAuditQuery(request.query))
    },
  )
}
