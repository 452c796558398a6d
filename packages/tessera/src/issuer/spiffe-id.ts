// SPIFFE ID syntax, as the SPIFFE-ID specification (§2) and go-spiffe's parser define it.

/** Longest SPIFFE ID, in bytes (SPIFFE-ID §2.3: none longer may be generated). */
export const maxSpiffeIdBytes = 2048
/** Longest trust domain name, in bytes (SPIFFE-ID §2.3: the URI host limit of RFC 3986). */
export const maxTrustDomainBytes = 255

const scheme = 'spiffe://'
// §2.1: lower-case letters, digits, dots, dashes and underscores; no port, no userinfo.
const trustDomainName = /^[a-z0-9._-]+$/
// §2.2: segments of letters, digits, dots, dashes and underscores; no percent-encoding.
const segment = /^[A-Za-z0-9._-]+$/

/** Whether `name` is a valid trust domain name (lower case, [a-z0-9._-], at most 255 bytes). */
export function isTrustDomain(name: string): boolean {
  return (
    typeof name === 'string' && name.length <= maxTrustDomainBytes && trustDomainName.test(name)
  )
}

/**
 * Splits a workload SPIFFE ID into trust domain and path, or returns undefined when it is not
 * one: scheme `spiffe://` (lower case), a valid trust domain, a non-empty path of non-empty
 * segments other than `.` and `..`, no query, fragment, port, userinfo or percent-encoding,
 * at most 2048 bytes. A bare trust domain ID (no path) names no workload and is refused.
 */
export function parseSpiffeId(value: string): { trustDomain: string; path: string } | undefined {
  // Every accepted character is ASCII, so length in UTF-16 units is length in bytes.
  if (typeof value !== 'string' || value.length > maxSpiffeIdBytes) return undefined
  if (!value.startsWith(scheme)) return undefined
  const rest = value.slice(scheme.length)
  const slash = rest.indexOf('/')
  if (slash <= 0) return undefined
  const trustDomain = rest.slice(0, slash)
  const path = rest.slice(slash)
  if (!isTrustDomain(trustDomain)) return undefined
  for (const part of path.slice(1).split('/')) {
    if (!segment.test(part) || part === '.' || part === '..') return undefined
  }
  return { trustDomain, path }
}

/**
 * Whether `value` is a workload SPIFFE ID in `trustDomain`: `spiffe://<trustDomain>/<path>`
 * following the SPIFFE ID specification (see `parseSpiffeId`). The trust domain is compared
 * exactly; both are lower case by the specification.
 */
export function isSpiffeId(value: string, trustDomain: string): boolean {
  return parseSpiffeId(value)?.trustDomain === trustDomain && isTrustDomain(trustDomain)
}
