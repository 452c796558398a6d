import { TesseraError } from '../explain/tessera-error.ts'
import { duration } from './time-format.ts'

/**
 * Caps exp - iat (or exp - nbf without iat): a receiver that wants short-lived tokens refuses
 * long-lived ones even while they are unexpired.
 */
export function checkLifetime(
  iat: number | undefined,
  nbf: number | undefined,
  exp: number | undefined,
  maxLifetime: number,
): TesseraError | undefined {
  const start = iat ?? nbf
  if (exp === undefined) return undefined
  if (start === undefined) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'lifetime',
      message: `iat is missing, needed to check the lifetime cap of ${duration(maxLifetime)}`,
      expected: 'iat (NumericDate)',
      actual: 'missing',
    })
  }
  const lifetime = exp - start
  if (lifetime <= maxLifetime) return undefined
  return new TesseraError({
    code: 'lifetime_exceeded',
    message: `lifetime exp - ${iat === undefined ? 'nbf' : 'iat'} is ${duration(lifetime)}, more than the maximum of ${duration(maxLifetime)}`,
    expected: `<= ${maxLifetime} s`,
    actual: `${lifetime} s`,
  })
}
