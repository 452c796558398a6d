import { detectClockSkew } from '../explain/hints/clock-skew.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { duration, isoTime } from './time-format.ts'

/** Rejects an `iat` in the future beyond the leeway: the token claims to be minted later. */
export function checkIssuedAt(
  iat: number | undefined,
  now: number,
  leeway: number,
): TesseraError | undefined {
  if (iat === undefined || iat <= now + leeway) return undefined
  const skew = detectClockSkew(iat - now - leeway)
  return new TesseraError({
    code: 'issued_in_future',
    message: `iat ${isoTime(iat)} is ${duration(iat - now)} after now ${isoTime(now)} (leeway ${duration(leeway)})${skew ? `: ${skew.words}` : ''}`,
    expected: `iat at or before ${isoTime(now + leeway)}`,
    actual: `iat ${isoTime(iat)}`,
    ...(skew ? { hint: skew.id } : {}),
  })
}
