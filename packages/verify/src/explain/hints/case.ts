import type { Hint } from '../hint-id.ts'
import { listWords } from './list-words.ts'
import type { Normalised } from './normalised.ts'

// scheme ":" then "//" authority, then the rest; every group optional, so it always matches.
const urlParts = /^([a-z][a-z0-9+.-]*:)?(\/\/[^/?#]*)?([\s\S]*)$/i

/** Lower-cases both values; undefined when neither has an upper-case letter. */
export function removeCase(expected: string, actual: string): Normalised | undefined {
  const lowerExpected = expected.toLowerCase()
  const lowerActual = actual.toLowerCase()
  if (lowerExpected === expected && lowerActual === actual) return undefined
  return { expected: lowerExpected, actual: lowerActual, phrase: 'letter case' }
}

// For two URLs, which parts differ: hosts compare case-insensitively elsewhere, paths do not,
// so saying where helps decide which side to fix.
function where(expected: string, actual: string): string {
  const expectedParts = urlParts.exec(expected)
  const actualParts = urlParts.exec(actual)
  if (!expectedParts?.[2] || !actualParts?.[2]) return ''
  const parts: string[] = []
  if (expectedParts[1] !== actualParts[1]) parts.push('scheme')
  if (expectedParts[2] !== actualParts[2]) parts.push('host')
  if (expectedParts[3] !== actualParts[3]) parts.push('path')
  return parts.length === 0 ? '' : ` (in the ${listWords(parts)})`
}

/**
 * Detects values equal case-insensitively (`toLowerCase`) but not exactly.
 * Words: `the values differ only by letter case`, and for two URLs where the difference is,
 * e.g. `the values differ only by letter case (in the host)`.
 */
export function detectCase(expected: string, actual: string): Hint | undefined {
  if (expected === actual || expected.toLowerCase() !== actual.toLowerCase()) return undefined
  return { id: 'case', words: `the values differ only by letter case${where(expected, actual)}` }
}
