import { type CacheableResponse, cacheableJson } from './cacheable-response.ts'
import type { IssuerSettings, JsonWebKeySet } from './types.ts'

/**
 * The body and headers of `GET /.well-known/jwks.json`: the key manager's published keys,
 * `cache-control: public, max-age=<jwksMaxAgeSeconds>` (never longer than prePublishSeconds,
 * so a cached set always knows the next key before it signs) and a strong ETag.
 */
export function jwksResponse(
  keys: { jwks(): JsonWebKeySet },
  settings: Pick<IssuerSettings, 'jwksMaxAgeSeconds'>,
): CacheableResponse {
  return cacheableJson(keys.jwks(), settings.jwksMaxAgeSeconds)
}
