import type { Hint } from '../hint-id.ts'

/** A time check that fails by less than this many seconds beyond the leeway looks like skew. */
export const clockSkewLimitSeconds = 300

/**
 * Detects clock skew from how far a time check (exp, nbf, iat) failed beyond the leeway, in
 * seconds: a hint when that is more than 0 and less than `clockSkewLimitSeconds` (five
 * minutes); larger gaps are real expiry or a wrong clock setting, not drift.
 * Words: `42 s beyond the leeway: this looks like clock skew between issuer and receiver`
 * (fractions rounded up).
 */
export function detectClockSkew(beyondLeewaySeconds: number): Hint | undefined {
  // Written so NaN falls out too.
  if (!(beyondLeewaySeconds > 0 && beyondLeewaySeconds < clockSkewLimitSeconds)) return undefined
  const seconds = Math.ceil(beyondLeewaySeconds)
  return {
    id: 'clock_skew',
    words: `${seconds} s beyond the leeway: this looks like clock skew between issuer and receiver`,
  }
}
