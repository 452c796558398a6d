import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redact, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'

/** Checks that `sub` is one of the accepted subjects (exact, case-sensitive). */
export function checkSubject(
  sub: string | undefined,
  accepted: readonly string[],
): TesseraError | undefined {
  if (sub !== undefined && accepted.includes(sub)) return undefined
  if (sub === undefined) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'subject',
      message: `sub is missing, expected one of ${quoteList(accepted)}`,
      expected: redactList(accepted),
      actual: 'missing',
    })
  }
  const near = findClosest(accepted, [sub])
  return new TesseraError({
    code: 'subject_mismatch',
    message: `sub ${quote(sub)} is not one of ${quoteList(accepted)}${near?.hint ? `: ${near.hint.words}` : ''}`,
    expected: redactList(accepted),
    actual: redact(sub),
    ...(near?.hint ? { hint: near.hint.id } : {}),
  })
}
