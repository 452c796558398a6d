import type { Hint } from '../hint-id.ts'
import { quote } from '../redact.ts'
import { stripWhitespace } from './whitespace.ts'

/** The differing path-and-query of two same-origin URLs. */
export interface PathDifference {
  readonly expected: string
  readonly actual: string
}

/**
 * The pathname + search of two absolute URLs with the same scheme, credentials and host
 * (compared as the URL parser normalises them), when those differ by more than one final `/`
 * (a trailing slash is its own hint). Undefined otherwise, when either does not parse, or when
 * either contains whitespace (the parser would silently drop some of it).
 */
export function pathDifference(expected: string, actual: string): PathDifference | undefined {
  // The URL parser drops tabs, newlines and surrounding spaces and IDNA ignores zero-width
  // characters in hosts; leave such values to the whitespace hint rather than hide them.
  if (stripWhitespace(expected) !== expected || stripWhitespace(actual) !== actual) return undefined
  const expectedUrl = URL.parse(expected)
  const actualUrl = URL.parse(actual)
  if (expectedUrl === null || actualUrl === null) return undefined
  // Without a host ("urn:a" vs "urn:b") there is no origin to share.
  if (expectedUrl.host === '' || expectedUrl.host !== actualUrl.host) return undefined
  if (
    expectedUrl.protocol !== actualUrl.protocol ||
    expectedUrl.username !== actualUrl.username ||
    expectedUrl.password !== actualUrl.password
  ) {
    return undefined
  }
  const expectedPath = expectedUrl.pathname + expectedUrl.search
  const actualPath = actualUrl.pathname + actualUrl.search
  if (expectedPath === actualPath) return undefined
  if (`${expectedPath}/` === actualPath || `${actualPath}/` === expectedPath) return undefined
  return { expected: expectedPath, actual: actualPath }
}

/** `("/v1" instead of "/v2")`: the token's path first, both redacted and quoted. */
export function showPathDifference(difference: PathDifference): string {
  return `(${quote(difference.actual)} instead of ${quote(difference.expected)})`
}

/**
 * Detects two URLs with the same origin and a different path or query.
 * Words: `same origin, different path ("/v1" instead of "/v2")` — the token's path first.
 */
export function detectPath(expected: string, actual: string): Hint | undefined {
  const difference = pathDifference(expected, actual)
  if (difference === undefined) return undefined
  return { id: 'path', words: `same origin, different path ${showPathDifference(difference)}` }
}
