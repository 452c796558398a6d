import { hash } from 'node:crypto'

/**
 * SHA-256 of a token as lower-case hex: what the audit log keeps instead of the token
 * (CONVENTIONS §4.5, as octo-sts does), so a record can be matched with a token someone holds
 * without the log ever being able to replay it.
 */
export function tokenSha256(token: string): string {
  // The one-shot `hash` costs about half of createHash().update().digest() for a token-sized
  // input (no Hash object), and every exchange hashes two tokens.
  return hash('sha256', token, 'hex')
}
