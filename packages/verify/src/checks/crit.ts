import { quoteList, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwsHeader } from '../token/types.ts'

/**
 * RFC 7515 §4.1.11: a verifier must reject a token whose `crit` lists an extension it does
 * not understand. Tessera implements none, so any `crit` is refused, and so is `b64`
 * (RFC 7797 unencoded payloads change what the signature covers).
 */
export function checkCrit(header: JwsHeader): TesseraError | undefined {
  const crit = header.crit as unknown
  if (crit === undefined && header.b64 === undefined) return undefined
  if (
    crit !== undefined &&
    (!Array.isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== 'string'))
  ) {
    return new TesseraError({
      code: 'malformed',
      check: 'crit',
      message: 'header crit is not a non-empty array of strings (RFC 7515 §4.1.11)',
      expected: 'a non-empty array of strings',
      actual: Array.isArray(crit) ? 'array' : typeof crit,
    })
  }
  const listed = Array.isArray(crit) ? (crit as string[]) : ['b64']
  return new TesseraError({
    code: 'crit_unsupported',
    message: `header crit ${quoteList(listed)} names extensions this verifier does not implement`,
    expected: [],
    actual: redactList(listed),
  })
}
