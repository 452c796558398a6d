// Loaded into every test process (`node --import ./tools/loopback-guard.ts --test`): any
// connection or DNS lookup that is not loopback throws, so a test, a dependency or a cloud SDK
// that starts probing the real network fails at once instead of leaking traffic.
import dns from 'node:dns'
import net from 'node:net'

const loopbackNames = new Set(['localhost', 'localhost.', 'ip6-localhost'])

/** True for 127.0.0.0/8, ::1, IPv4-mapped loopback, localhost, and Unix socket paths. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (loopbackNames.has(h)) return true
  if (net.isIPv4(h)) return h.startsWith('127.')
  if (net.isIPv6(h)) return h === '::1' || h.startsWith('::ffff:127.')
  return false
}

function refuse(what: string, target: string): never {
  throw new Error(
    `loopback guard: ${what} to ${JSON.stringify(target)} refused; tests talk to loopback only`,
  )
}

const originalConnect = net.Socket.prototype.connect
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0]
  let host: string | undefined
  let path: string | undefined
  if (Array.isArray(first)) {
    // Internal form used by net.connect: [options, callback].
    const options = first[0] as { host?: string; path?: string } | undefined
    host = options?.host
    path = options?.path
  } else if (typeof first === 'object' && first !== null) {
    host = (first as { host?: string }).host
    path = (first as { path?: string }).path
  } else if (typeof first === 'number') {
    host = typeof args[1] === 'string' ? args[1] : 'localhost'
  } else if (typeof first === 'string') {
    path = first
  }
  if (path === undefined && !isLoopback(host ?? 'localhost')) refuse('connection', host ?? '')
  return (originalConnect as (...a: unknown[]) => net.Socket).apply(this, args)
} as typeof net.Socket.prototype.connect

const originalLookup = dns.lookup
dns.lookup = function guardedLookup(hostname: string, ...rest: unknown[]) {
  if (!isLoopback(hostname)) refuse('DNS lookup', hostname)
  return (originalLookup as (...a: unknown[]) => unknown)(hostname, ...rest)
} as typeof dns.lookup

const originalPromiseLookup = dns.promises.lookup
dns.promises.lookup = function guardedPromiseLookup(hostname: string, ...rest: unknown[]) {
  if (!isLoopback(hostname)) refuse('DNS lookup', hostname)
  return (originalPromiseLookup as (...a: unknown[]) => Promise<unknown>)(hostname, ...rest)
} as typeof dns.promises.lookup
