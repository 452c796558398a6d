import type { Hint } from '../hint-id.ts'
import { quote } from '../redact.ts'
import { hintIfEqual, type Normalised } from './normalised.ts'

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ); only schemes followed by
// an authority ("//") count, so "urn:x" or "user:pass" are not split.
const schemePrefix = /^([a-z][a-z0-9+.-]*):\/\//i

interface SchemeSplit {
  /** Compared case-insensitively: the lower-case scheme, `//` or empty for none. */
  readonly key: string
  /** How the words show it: the quoted scheme, `"//"` or `none`. */
  readonly shown: string
  /** The value after `scheme://` or `//`. */
  readonly rest: string
}

function splitScheme(value: string): SchemeSplit {
  const match = schemePrefix.exec(value)
  if (match !== null) {
    const scheme = match[1] ?? ''
    return { key: scheme.toLowerCase(), shown: quote(scheme), rest: value.slice(match[0].length) }
  }
  if (value.startsWith('//')) return { key: '//', shown: '"//"', rest: value.slice(2) }
  return { key: '', shown: 'none', rest: value }
}

/**
 * Removes the `scheme://` (or scheme-relative `//`) prefix from both values when the schemes
 * differ other than by letter case (a case-only difference is the case step's). Undefined
 * when they do not, or when nothing would remain after the prefix.
 */
export function removeScheme(expected: string, actual: string): Normalised | undefined {
  const expectedSplit = splitScheme(expected)
  const actualSplit = splitScheme(actual)
  if (expectedSplit.key === actualSplit.key) return undefined
  if (expectedSplit.rest === '' || actualSplit.rest === '') return undefined
  return {
    expected: expectedSplit.rest,
    actual: actualSplit.rest,
    phrase: `scheme (${actualSplit.shown} instead of ${expectedSplit.shown})`,
  }
}

/**
 * Detects values equal but for their scheme: `http://x` vs `https://x`, `//x` or bare `x`.
 * Words: `the values differ only by scheme ("http" instead of "https")` — the token's first;
 * a missing scheme is `none`, a scheme-relative one `"//"`.
 */
export function detectScheme(expected: string, actual: string): Hint | undefined {
  return hintIfEqual('scheme', removeScheme(expected, actual))
}
