import { detectHint } from '../explain/hints/detect-hint.ts'
import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'

// RFC 8725 §3.11: explicitly typed JWTs of another kind must never pass as this one.
const otherKinds = new Set([
  'dpop+jwt',
  'logout+jwt',
  'secevent+jwt',
  'token-introspection+jwt',
  'kb+jwt',
  'vc+sd-jwt',
])

/** RFC 7515 §4.1.9: compare media types case-insensitively, `application/` optional. */
export function normaliseTyp(typ: string): string {
  const lower = typ.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

/**
 * Checks the header typ: equal to `required` when one is configured; otherwise it must not
 * name another kind of JWT (a DPoP proof, a logout token, …).
 */
export function checkTyp(
  typ: string | undefined,
  required: string | undefined,
): TesseraError | undefined {
  if (required === undefined) {
    if (typ === undefined || !otherKinds.has(normaliseTyp(typ))) return undefined
    return new TesseraError({
      code: 'typ_mismatch',
      message: `typ ${quote(typ)} marks another kind of JWT, which is never accepted as a token here`,
      expected: 'JWT or at+jwt or absent',
      actual: redact(typ),
    })
  }
  // Fast path: the common exact match needs no lower-casing.
  if (typ === required || (typ !== undefined && normaliseTyp(typ) === normaliseTyp(required))) {
    return undefined
  }
  const hint = typ === undefined ? undefined : detectHint(required, typ)
  return new TesseraError({
    code: 'typ_mismatch',
    message:
      typ === undefined
        ? `typ is missing, expected ${quote(required)}`
        : `typ ${quote(typ)} is not ${quote(required)}${hint ? `: ${hint.words}` : ''}`,
    expected: required,
    actual: typ === undefined ? 'missing' : redact(typ),
    ...(hint ? { hint: hint.id } : {}),
  })
}
