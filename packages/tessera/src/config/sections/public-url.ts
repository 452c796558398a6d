/**
 * Checks `server.publicUrl`, Tessera's issuer identifier. OIDC Discovery 1.0 §4.3 and RFC 8414
 * §3.3 compare the issuer as an exact string, so anything a client would spell differently
 * (a trailing slash, upper case, a default port) is refused here rather than at the first token.
 * Returns a message saying what is wrong, or undefined when the URL is sound.
 */
export function checkPublicUrl(value: string): string | undefined {
  if (value.trim() !== value) return 'has leading or trailing whitespace'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `must be an absolute http(s) URL, e.g. "https://tessera.example.org"`
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `must be an http(s) URL, got scheme ${JSON.stringify(url.protocol.slice(0, -1))}`
  }
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password'
  // Checked on the text: `new URL` drops an empty query or fragment ("https://x?").
  if (value.includes('?') || value.includes('#')) {
    return 'must not have a query or fragment: an issuer identifier has neither (RFC 8414 §2)'
  }
  const isRoot = url.pathname === '/'
  if (!isRoot && value.endsWith('/')) {
    return `must not end with "/": write ${JSON.stringify(value.replace(/\/+$/, ''))}; it is the issuer (iss) exactly as clients must configure it`
  }
  // The origin root may be written with or without its slash; it is kept as written.
  const canonical = isRoot && !value.endsWith('/') ? url.href.slice(0, -1) : url.href
  if (canonical !== value) {
    return `must be written as ${JSON.stringify(canonical)}: it is the issuer (iss), compared exactly, so it must be in the form clients normalise it to`
  }
  return undefined
}
