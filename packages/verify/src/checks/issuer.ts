import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redact, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'

/**
 * Checks that `iss` names a trusted issuer, exactly (OIDC Core §3.1.3.7: simple string
 * comparison). A near miss of one trusted issuer is `issuer_mismatch` (a typo in one of the
 * two configurations); anything else is `issuer_unknown` (a token from elsewhere).
 * Runs before any key lookup, so an untrusted `iss` never makes the verifier fetch a URL.
 */
export function checkIssuer(iss: unknown, trusted: readonly string[]): TesseraError | undefined {
  if (typeof iss === 'string' && trusted.includes(iss)) return undefined
  if (iss === undefined) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'issuer',
      message: `iss is missing, expected one of ${quoteList(trusted)}`,
      expected: redactList(trusted),
      actual: 'missing',
    })
  }
  const actual = redact(iss)
  const near = findClosest(trusted, [String(iss)])
  if (near?.hint) {
    return new TesseraError({
      code: 'issuer_mismatch',
      message: `iss ${quote(iss)} is not ${quote(near.expected)}: ${near.hint.words}`,
      expected: redact(near.expected),
      actual,
      hint: near.hint.id,
    })
  }
  return new TesseraError({
    code: 'issuer_unknown',
    message: `iss ${quote(iss)} is not one of the trusted issuers ${quoteList(trusted)}`,
    expected: redactList(trusted),
    actual,
  })
}
