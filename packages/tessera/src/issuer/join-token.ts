import { createHash, randomBytes } from 'node:crypto'
import { type Clock, fingerprint, quote, TesseraError } from '@tessera/verify'
import { parseSpiffeId } from './spiffe-id.ts'
import type { JoinTokenStore, StoredJoinToken } from './types.ts'

/** Bounds of a join token's lifetime, in seconds: single-use secrets should not linger. */
export const joinTokenTtlBounds = Object.freeze({ min: 1, max: 86_400 })

const prefix = 'tjt_'
// 32 random bytes are 43 base64url characters; the prefix makes a leaked token greppable.
const joinTokenShape = /^tjt_[A-Za-z0-9_-]{43}$/

/** SHA-256 (hex) of a join token: the only form in which it is stored. */
export function hashJoinToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

/** What `createJoinToken` needs. */
export interface CreateJoinTokenOptions {
  readonly store: JoinTokenStore
  /** The workload SPIFFE ID the token will attest to. */
  readonly spiffeId: string
  /** Lifetime in seconds, 1 to 86 400. */
  readonly ttlSeconds: number
  readonly clock: Clock
  /** When given, the SPIFFE ID must be in this trust domain. */
  readonly trustDomain?: string
}

/**
 * Creates a one-time join token for a SPIFFE ID: `tjt_` and 32 random bytes (base64url). Only
 * its SHA-256 is stored; the token itself is returned once and never again.
 * @throws {TesseraError} `invalid_request` for a SPIFFE ID that is not one (or is outside
 * `trustDomain`) or a ttl outside 1..86 400 s
 */
export async function createJoinToken(
  options: CreateJoinTokenOptions,
): Promise<{ token: string; expiresAt: number }> {
  const { store, spiffeId, ttlSeconds, clock, trustDomain } = options
  const parsed = parseSpiffeId(spiffeId)
  if (parsed === undefined || (trustDomain !== undefined && parsed.trustDomain !== trustDomain)) {
    const where = trustDomain === undefined ? '' : ` in trust domain ${quote(trustDomain)}`
    throw new TesseraError({
      code: 'invalid_request',
      message: `spiffeId ${quote(spiffeId)} is not a workload SPIFFE ID${where}`,
      expected: `spiffe://${trustDomain ?? '<trust-domain>'}/<path>`,
      actual: quote(spiffeId),
    })
  }
  const { min, max } = joinTokenTtlBounds
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < min || ttlSeconds > max) {
    throw new TesseraError({
      code: 'invalid_request',
      message: `ttlSeconds must be a whole number from ${min} to ${max}, got ${quote(ttlSeconds)}`,
      expected: `${min}..${max}`,
      actual: quote(ttlSeconds),
    })
  }
  const now = clock()
  const token = `${prefix}${randomBytes(32).toString('base64url')}`
  const expiresAt = now + ttlSeconds
  await store.create(
    Object.freeze({ tokenHash: hashJoinToken(token), spiffeId, expiresAt, createdAt: now }),
  )
  return { token, expiresAt }
}

/** What `redeemJoinToken` needs. */
export interface RedeemJoinTokenOptions {
  readonly store: JoinTokenStore
  /** The secret join token as presented. */
  readonly token: string
  readonly clock: Clock
}

/**
 * Consumes a join token (atomically, in the store) and returns what it attested. A second
 * redemption, an expired or unknown token, and anything not shaped like a join token all fail
 * the same way; the message shows a fingerprint, never the token.
 * @throws {TesseraError} `join_token_invalid`
 */
export async function redeemJoinToken(options: RedeemJoinTokenOptions): Promise<StoredJoinToken> {
  const { store, token, clock } = options
  const now = clock()
  // A malformed token cannot be stored, so the store is not asked.
  const record =
    typeof token === 'string' && joinTokenShape.test(token)
      ? await store.consume(hashJoinToken(token), now)
      : undefined
  // The store's contract already excludes expired tokens; checked again because a late
  // acceptance here would be a credential issued on an expired secret.
  if (record === undefined || record.expiresAt <= now) {
    throw new TesseraError({
      code: 'join_token_invalid',
      message: `join token ${typeof token === 'string' ? fingerprint(token) : 'of the wrong type'} is unknown, already used or expired`,
      actual: typeof token === 'string' ? fingerprint(token) : typeof token,
    })
  }
  return record
}
