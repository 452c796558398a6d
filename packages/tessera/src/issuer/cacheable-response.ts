import { createHash } from 'node:crypto'

/** A JSON body with the caching headers to serve it with. */
export interface CacheableResponse {
  readonly body: string
  /** `public, max-age=<seconds>`. */
  readonly cacheControl: string
  /** Strong ETag: the quoted base64url SHA-256 of the body, so equal bodies share it. */
  readonly etag: string
}

/** Serialises `value` once and derives its Cache-Control and ETag headers. */
export function cacheableJson(value: unknown, maxAgeSeconds: number): CacheableResponse {
  const body = JSON.stringify(value)
  return Object.freeze({
    body,
    cacheControl: `public, max-age=${maxAgeSeconds}`,
    etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
  })
}
