import type { Problem } from '../explain/tessera-error.ts'

/**
 * Checks an adapter's `publicOrigin` option and returns it as an origin (`scheme://host[:port]`,
 * no trailing slash), or adds a problem. An origin, not a URL prefix: the request path is
 * appended as received.
 */
export function checkPublicOrigin(value: unknown, problems: Problem[]): string | undefined {
  if (value === undefined) return undefined
  const problem = (message: string): undefined => {
    problems.push({ path: 'publicOrigin', message })
    return undefined
  }
  if (typeof value !== 'string')
    return problem('must be a string such as "https://api.example.com"')
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return problem('must be an absolute URL such as "https://api.example.com"')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return problem(`must use https: or http:, not ${url.protocol}`)
  if (url.username !== '' || url.password !== '') return problem('must not carry credentials')
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '')
    return problem('must be an origin only, without path, query or fragment')
  return url.origin
}

/**
 * The absolute URL the client addressed, for DPoP `htu` (RFC 9449 §4.3) and request policies:
 * `publicOrigin` + path when configured (behind a proxy that rewrites Host or terminates TLS,
 * only configuration knows the public URL), else `protocol://host` + path from the request,
 * where `host` is the Host header or the HTTP/2 `:authority`: chosen by the client, so without
 * `publicOrigin` a proof made for one host name passes on any instance reached with that Host.
 */
export function requestUrl(
  publicOrigin: string | undefined,
  protocol: string,
  host: string | undefined,
  path: string,
): string {
  const origin = publicOrigin ?? `${protocol}://${host ?? ''}`
  return path.startsWith('/') ? `${origin}${path}` : `${origin}/${path}`
}
