import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { type Problem, TesseraError } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import type { DpopNonceSource } from './types.ts'

/** Options of `createDpopNonceSource`. */
export interface DpopNonceSourceOptions {
  /** How often the nonce changes, in seconds (default 300); the previous one stays valid as long. */
  readonly rotateEverySeconds?: number
  /** Epoch-seconds clock (default: system clock). */
  readonly clock?: Clock
  /** HMAC key, at least 32 bytes (default: 32 random bytes). Share it between replicas. */
  readonly secret?: Buffer
}

/**
 * Creates a stateless DPoP nonce source (RFC 9449 §8): the nonce is HMAC-SHA256(secret, time
 * bucket), so replicas sharing the secret agree without storage. The current and the previous
 * bucket's nonces are valid, so a nonce handed out just before a rotation still works.
 * @throws {TesseraError} `invalid_options` for a bad interval, clock or secret
 */
export function createDpopNonceSource(options: DpopNonceSourceOptions = {}): DpopNonceSource {
  const problems: Problem[] = []
  const every = options.rotateEverySeconds ?? 300
  if (typeof every !== 'number' || !Number.isInteger(every) || every < 1)
    problems.push({ path: 'rotateEverySeconds', message: 'must be a positive integer' })
  if (options.clock !== undefined && typeof options.clock !== 'function')
    problems.push({ path: 'clock', message: 'must be a function returning epoch seconds' })
  if (
    options.secret !== undefined &&
    (!Buffer.isBuffer(options.secret) || options.secret.length < 32)
  )
    problems.push({ path: 'secret', message: 'must be a Buffer of at least 32 bytes' })
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `DPoP nonce source options are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const secret = options.secret ?? randomBytes(32)
  const clock = options.clock ?? systemClock
  const nonceOf = (bucket: number): Buffer =>
    createHmac('sha256', secret).update(`dpop-nonce:${bucket}`).digest()
  const bucketNow = (): number => Math.floor(clock() / every)
  return Object.freeze({
    current: () => nonceOf(bucketNow()).toString('base64url'),
    isValid: (nonce: string) => {
      if (typeof nonce !== 'string' || nonce.length !== 43) return false
      const given = Buffer.from(nonce, 'base64url')
      if (given.length !== 32 || given.toString('base64url') !== nonce) return false
      const bucket = bucketNow()
      // Compare with both, always, so timing does not tell which bucket matched.
      const current = timingSafeEqual(given, nonceOf(bucket))
      const previous = timingSafeEqual(given, nonceOf(bucket - 1))
      return current || previous
    },
  })
}
