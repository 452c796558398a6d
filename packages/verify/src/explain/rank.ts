import type { TesseraError } from './tessera-error.ts'

const decodeCodes = new Set(['malformed', 'too_large'])
const keyCodes = new Set(['unknown_key', 'bad_signature', 'key_type_mismatch'])

/**
 * Picks the most likely root cause among failures listed in check order. Check order is the
 * default, with what experience adds: an expired token explains a key that is no longer
 * published (the issuer rotated since), so `expired` outranks key failures.
 */
export function rankFailures(failures: readonly TesseraError[]): TesseraError | undefined {
  const decode = failures.find(
    (f) => decodeCodes.has(f.code) && (f.check === 'decode' || f.check === 'header'),
  )
  if (decode) return decode
  const first = failures[0]
  if (first !== undefined && keyCodes.has(first.code)) {
    const expired = failures.find((f) => f.code === 'expired')
    if (expired) return expired
  }
  return first
}
