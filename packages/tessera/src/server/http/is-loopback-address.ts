import { isIPv4, isIPv6 } from 'node:net'

/** True for a peer address in 127.0.0.0/8, `::1` or IPv4-mapped loopback. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false
  if (isIPv4(address)) return address.startsWith('127.')
  if (isIPv6(address)) {
    const lower = address.toLowerCase()
    return lower === '::1' || lower.startsWith('::ffff:127.')
  }
  return false
}
