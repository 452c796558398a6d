import { isIPv4, isIPv6 } from 'node:net'

/** Where the server listens: a host (IPv6 without brackets, as `net.Server.listen` wants it) and a port. */
export interface ListenAddress {
  readonly host: string
  readonly port: number
}

// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens.
const hostName =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i

/**
 * Parses `host:port` (`127.0.0.1:8080`, `localhost:8080`, `[::1]:8080`). Port 0 is accepted:
 * the system picks a free port (tests). Returns the address, or a message saying what is wrong.
 */
export function parseListenAddress(value: string): ListenAddress | { readonly problem: string } {
  const example = 'e.g. "127.0.0.1:8080" or "[::1]:8080"'
  let host: string
  let port: string
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(value)
  if (bracketed !== null) {
    host = bracketed[1] as string
    port = bracketed[2] as string
    if (!isIPv6(host)) return { problem: `${JSON.stringify(host)} is not an IPv6 address` }
  } else {
    const colon = value.lastIndexOf(':')
    if (colon < 0) {
      return /^\d+$/.test(value)
        ? {
            problem: `must be host:port, not only a port: write "127.0.0.1:${value}" (loopback) or "0.0.0.0:${value}" (every interface)`,
          }
        : { problem: `must be host:port, ${example}` }
    }
    host = value.slice(0, colon)
    port = value.slice(colon + 1)
    if (host.includes(':')) {
      return isIPv6(host)
        ? { problem: `an IPv6 address needs brackets: write "[${host}]:${port}"` }
        : { problem: `must be host:port, ${example}` }
    }
    if (host === '') {
      return {
        problem: `needs a host before ":${port}": write "127.0.0.1:${port}" (loopback) or "0.0.0.0:${port}" (every interface)`,
      }
    }
    if (!isIPv4(host) && !hostName.test(host)) {
      return { problem: `${JSON.stringify(host)} is not an IP address or host name` }
    }
  }
  const number = /^\d{1,5}$/.test(port) ? Number(port) : Number.NaN
  if (!(number <= 65_535)) {
    return { problem: `port ${JSON.stringify(port)} must be a whole number from 0 to 65535` }
  }
  return { host, port: number }
}
