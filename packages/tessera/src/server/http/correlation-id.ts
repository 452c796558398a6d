import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

// A caller's id is echoed into logs, audit records and a response header, so only short,
// inert tokens are taken over: no spaces, quotes, control characters or header tricks.
const safeId = /^[A-Za-z0-9._-]{1,64}$/

/**
 * Returns the request's correlation id: the caller's `x-request-id` when it is a safe token of
 * at most 64 characters (`[A-Za-z0-9._-]`), otherwise a new UUID.
 */
export function correlationIdFor(request: IncomingMessage): string {
  const header = request.headers['x-request-id']
  return typeof header === 'string' && safeId.test(header) ? header : randomUUID()
}
