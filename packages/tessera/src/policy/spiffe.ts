/**
 * SPIFFE ID rules (SPIFFE ID specification §2) for the output subject of identity policies and
 * for subject patterns of Tessera's own tokens: `spiffe://` + the trust domain + a path of
 * non-empty segments of `[A-Za-z0-9._-]`, none `.` or `..`, no trailing slash, no query or
 * fragment, at most 2048 bytes. The policy part cannot import the issuer part, so the rules are
 * stated here for the values policies produce.
 */

/** Longest SPIFFE ID accepted, in bytes (SPIFFE ID specification §2.3). */
export const maxSpiffeIdBytes = 2048

const segment = /^[A-Za-z0-9._-]+$/

/**
 * Why `value` is not a workload SPIFFE ID in `trustDomain`, or undefined when it is one.
 * Reasons are lower-case phrases for a message.
 */
export function spiffeIdProblem(value: string, trustDomain: string): string | undefined {
  const prefix = `spiffe://${trustDomain}/`
  if (!value.startsWith(prefix)) return `it does not start with "${prefix}"`
  if (Buffer.byteLength(value) > maxSpiffeIdBytes)
    return `it is longer than ${maxSpiffeIdBytes} bytes`
  const path = value.slice(prefix.length)
  if (path === '') return 'its path is empty'
  for (const part of path.split('/')) {
    if (part === '') return 'its path has an empty segment (a doubled or trailing "/")'
    if (part === '.' || part === '..') return `its path has a "${part}" segment`
    if (!segment.test(part)) return 'its path has a character outside [A-Za-z0-9._-]'
  }
  return undefined
}
