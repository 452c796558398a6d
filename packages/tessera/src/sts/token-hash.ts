import { createHash } from 'node:crypto'

/**
 * SHA-256 of a token as lower-case hex: what the audit log keeps instead of the token
 * (CONVENTIONS §4.5, as octo-sts does), so a record can be matched with a token someone holds
 * without the log ever being able to replay it.
 */
export function tokenSha256(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}
