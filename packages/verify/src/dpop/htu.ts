/**
 * The form in which `htu` and the request URL are compared: scheme, host, port and path, with
 * the query and fragment removed (RFC 9449 §4.3 step 9). URL parsing applies the syntax-based
 * normalisation RFC 3986 §6.2.2 allows (lower-case scheme and host, default port dropped).
 * Undefined for a value that is not an absolute http(s) URL.
 */
export function normaliseHtu(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined
  return `${url.protocol}//${url.host}${url.pathname}`
}
