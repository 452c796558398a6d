import { createHash } from 'node:crypto'

/**
 * The `ath` of a DPoP proof: base64url(SHA-256(ASCII access token)) (RFC 9449 §4.2). The token
 * is hashed as sent, so a non-ASCII character (never valid in a token) changes the hash.
 */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'latin1').digest('base64url')
}
