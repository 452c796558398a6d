import { TesseraError } from '../explain/tessera-error.ts'
import { duration } from './time-format.ts'

/** Caps now - iat (plus the leeway): a token minted long ago is refused even if unexpired. */
export function checkTokenAge(
  iat: number | undefined,
  now: number,
  maxTokenAge: number,
  leeway: number,
): TesseraError | undefined {
  if (iat === undefined) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'token_age',
      message: `iat is missing, needed to check the maximum token age of ${duration(maxTokenAge)}`,
      expected: 'iat (NumericDate)',
      actual: 'missing',
    })
  }
  const age = now - iat
  if (age <= maxTokenAge + leeway) return undefined
  return new TesseraError({
    code: 'token_too_old',
    message: `token was issued ${duration(age)} ago, more than the maximum age of ${duration(maxTokenAge)} (leeway ${duration(leeway)})`,
    expected: `<= ${maxTokenAge} s`,
    actual: `${age} s`,
  })
}
