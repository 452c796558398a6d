import { createHash } from 'node:crypto'

/** Longest string shown for one value, in characters, before the ellipsis. */
export const maxShownChars = 120

// A compact JWS or JWE anywhere in a string: a base64url JSON header ("eyJ") and at least
// two dots. Matched loosely on purpose: a false positive costs a fingerprint, a miss leaks a token.
const compactToken = /eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,}/g
const pemBlock = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)/g
// Long unbroken base64/base64url runs look like signatures, key material or secrets.
const longOpaque = /[A-Za-z0-9+/_-]{200,}={0,2}/g

/** A short, stable fingerprint of sensitive text: `sha256:` and 12 hex digits. */
export function fingerprint(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`
}

// Characters JSON.stringify leaves raw that a terminal may still act on: DEL and the C1 controls
// (U+009B is a one-byte CSI), line/paragraph separators, and bidi overrides ("Trojan Source").
const unsafeForDisplay = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g

function escapeUnsafe(text: string): string {
  return text.replace(
    unsafeForDisplay,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** Masks compact tokens, PEM blocks and long opaque runs with fingerprints, without truncating. */
export function maskSecrets(text: string): string {
  return text
    .replace(compactToken, (m) => `[token ${fingerprint(m)}]`)
    .replace(pemBlock, (m) => `[pem ${fingerprint(m)}]`)
    .replace(longOpaque, (m) => `[opaque ${fingerprint(m)}]`)
}

/**
 * Makes any untrusted value safe to show: masks compact tokens, PEM blocks and long opaque
 * runs (a fingerprint replaces them), writes DEL, C1 controls, line separators and bidi
 * overrides as `\\uXXXX` (JSON quoting then escapes the C0 controls), and truncates to `maxShownChars` with an ellipsis.
 * Non-strings are rendered as compact JSON first. The only way a value enters a message.
 */
export function redact(value: unknown): string {
  let text: string
  if (typeof value === 'string') text = value
  else if (value === undefined) text = 'undefined'
  else {
    try {
      text = JSON.stringify(value) ?? String(value)
    } catch {
      text = Object.prototype.toString.call(value)
    }
  }
  const masked = escapeUnsafe(maskSecrets(text))
  if (masked.length <= maxShownChars) return masked
  // Count code points, so the cut never splits a surrogate pair.
  const chars = Array.from(masked)
  if (chars.length <= maxShownChars) return masked
  return `${chars.slice(0, maxShownChars - 1).join('')}…`
}

/** Redacts every element of a list, keeping at most `maxItems` (the rest summarised). */
export function redactList(values: readonly unknown[], maxItems = 10): string[] {
  const shown = values.slice(0, maxItems).map(redact)
  if (values.length > maxItems) shown.push(`… ${values.length - maxItems} more`)
  return shown
}

/** A value as it appears in a message: redacted, then JSON-quoted so whitespace is visible. */
export function quote(value: unknown): string {
  return JSON.stringify(redact(value))
}

/** A list as it appears in a message: `["a", "b"]`, each element redacted. */
export function quoteList(values: readonly unknown[]): string {
  return `[${redactList(values)
    .map((v) => JSON.stringify(v))
    .join(', ')}]`
}
