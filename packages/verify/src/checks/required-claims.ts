import { quote, quoteList, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'

/** Checks that every claim in `required` is present and not null. */
export function checkRequiredClaims(
  claims: JwtClaims,
  required: readonly string[],
): TesseraError | undefined {
  let complete = true
  for (const name of required) {
    if (claims[name] === undefined || claims[name] === null) {
      complete = false
      break
    }
  }
  if (complete) return undefined
  const missing = required.filter((name) => claims[name] === undefined || claims[name] === null)
  return new TesseraError({
    code: 'missing_claim',
    message:
      missing.length === 1
        ? `claim ${quote(missing[0])} is required but missing`
        : `claims ${quoteList(missing)} are required but missing`,
    expected: [...required],
    actual: redactList(Object.keys(claims)),
  })
}
