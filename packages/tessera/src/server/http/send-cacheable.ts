import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CacheableResponse } from '../../issuer/index.ts'

/**
 * Sends a JSON body with its Cache-Control and ETag; a request whose `If-None-Match` names
 * the current ETag gets 304 without a body, so a verifier polling at its max age costs one
 * header exchange.
 */
export function sendCacheable(
  request: FastifyRequest,
  reply: FastifyReply,
  response: CacheableResponse,
): FastifyReply {
  reply.header('cache-control', response.cacheControl).header('etag', response.etag)
  if (matchesEtag(request.headers['if-none-match'], response.etag)) return reply.code(304).send()
  return reply.type('application/json; charset=utf-8').send(response.body)
}

/** RFC 9110 §13.1.2: If-None-Match uses the weak comparison; `*` matches any current representation. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  const own = weak(etag)
  return header.split(',').some((candidate) => {
    const value = candidate.trim()
    return value === '*' || weak(value) === own
  })
}

function weak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag
}
