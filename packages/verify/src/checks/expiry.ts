import { detectClockSkew } from '../explain/hints/clock-skew.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { duration, isoTime } from './time-format.ts'

/**
 * RFC 7519 §4.1.4: the token is accepted only while now < exp + leeway. `exp` is required:
 * a workload token that never expires is a static key.
 */
export function checkExpiry(
  exp: number | undefined,
  now: number,
  leeway: number,
): TesseraError | undefined {
  if (exp !== undefined && now < exp + leeway) return undefined
  if (exp === undefined) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'expiry',
      message: 'exp is missing: tokens without an expiry are never accepted',
      expected: 'exp (NumericDate)',
      actual: 'missing',
    })
  }
  const beyond = now - exp - leeway
  const skew = detectClockSkew(Math.max(1, beyond))
  return new TesseraError({
    code: 'expired',
    message: `exp ${isoTime(exp)} is ${duration(now - exp)} before now ${isoTime(now)} (leeway ${duration(leeway)})${skew ? `: ${skew.words}` : ''}`,
    expected: `exp after ${isoTime(now - leeway)}`,
    actual: `exp ${isoTime(exp)}`,
    ...(skew ? { hint: skew.id } : {}),
  })
}
