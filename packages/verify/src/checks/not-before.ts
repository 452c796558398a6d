import { detectClockSkew } from '../explain/hints/clock-skew.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { duration, isoTime } from './time-format.ts'

/** RFC 7519 §4.1.5: when present, the token is not accepted before nbf - leeway. */
export function checkNotBefore(
  nbf: number | undefined,
  now: number,
  leeway: number,
): TesseraError | undefined {
  if (nbf === undefined || nbf <= now + leeway) return undefined
  const skew = detectClockSkew(nbf - now - leeway)
  return new TesseraError({
    code: 'not_yet_valid',
    message: `nbf ${isoTime(nbf)} is ${duration(nbf - now)} after now ${isoTime(now)} (leeway ${duration(leeway)})${skew ? `: ${skew.words}` : ''}`,
    expected: `nbf at or before ${isoTime(now + leeway)}`,
    actual: `nbf ${isoTime(nbf)}`,
    ...(skew ? { hint: skew.id } : {}),
  })
}
