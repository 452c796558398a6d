import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { isForbiddenAlgorithm, isJwsAlgorithm, type JwsAlgorithm } from '../token/algorithms.ts'

/**
 * Checks the header's alg against the issuer's allow-list. `none` and HMAC are refused
 * whatever the list says (RFC 8725 §3.1–3.2).
 */
export function checkAlgorithm(
  alg: string,
  allowed: readonly JwsAlgorithm[],
  issuer: string,
): TesseraError | undefined {
  if (isJwsAlgorithm(alg) && allowed.includes(alg)) return undefined
  const near = findClosest(allowed, [alg])
  let why: string
  if (isForbiddenAlgorithm(alg)) {
    why =
      alg.toLowerCase() === 'none'
        ? 'unsigned tokens are never accepted'
        : 'HMAC (shared-secret) algorithms are never accepted'
  } else if (near?.hint) why = near.hint.words
  else why = `the issuer ${quote(issuer)} allows ${quoteList(allowed)}`
  return new TesseraError({
    code: 'alg_not_allowed',
    message: `alg ${quote(alg)} is not one of ${quoteList(allowed)}: ${why}`,
    expected: [...allowed],
    actual: redact(alg),
    ...(near?.hint && !isForbiddenAlgorithm(alg) ? { hint: near.hint.id } : {}),
  })
}
