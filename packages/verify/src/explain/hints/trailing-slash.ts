import type { Hint } from '../hint-id.ts'
import { hintIfEqual, type Normalised } from './normalised.ts'

function countTrailingSlashes(value: string): number {
  let count = 0
  while (count < value.length && value.charCodeAt(value.length - 1 - count) === 0x2f) count++
  return count
}

/**
 * Removes one final `/` from the value that ends with more of them; undefined when both end
 * with the same number (then a trailing slash is not what differs).
 */
export function removeTrailingSlash(expected: string, actual: string): Normalised | undefined {
  const expectedSlashes = countTrailingSlashes(expected)
  const actualSlashes = countTrailingSlashes(actual)
  if (expectedSlashes === actualSlashes) return undefined
  const phrase = 'a trailing slash'
  return expectedSlashes > actualSlashes
    ? { expected: expected.slice(0, -1), actual, phrase }
    : { expected, actual: actual.slice(0, -1), phrase }
}

/**
 * Detects values that are equal but for one final `/` on one side
 * (`https://api.example.com/` vs `https://api.example.com`).
 * Words: `the values differ only by a trailing slash` — the quoted values show which side has it.
 */
export function detectTrailingSlash(expected: string, actual: string): Hint | undefined {
  return hintIfEqual('trailing_slash', removeTrailingSlash(expected, actual))
}
