import { detectHint, type Hint } from '@tessera/verify'
import { compileGlob, type Glob } from './glob.ts'

/**
 * The near-miss hint for a value that a glob did not match. A literal pattern is compared with
 * the value by `detectHint`; for a wildcard pattern the value is nudged the ways near misses
 * usually go — surrounding whitespace removed, a trailing slash removed or added, letter case
 * ignored — and the first nudge that makes it match names the hint. Runs only on failure.
 */
export function detectGlobHint(glob: Glob, value: string): Hint | undefined {
  if (glob.literal) return detectHint(glob.pattern, value)
  const trimmed = value.trim()
  if (trimmed !== value && glob.matches(trimmed)) {
    return {
      id: 'whitespace',
      words: 'the value matches once its surrounding whitespace is removed',
    }
  }
  if (value.endsWith('/') && glob.matches(value.slice(0, -1))) {
    return { id: 'trailing_slash', words: 'the value matches without its trailing slash' }
  }
  if (!value.endsWith('/') && glob.matches(`${value}/`)) {
    return { id: 'trailing_slash', words: 'the value matches with a trailing slash added' }
  }
  if (compileGlob(glob.pattern.toLowerCase()).matches(value.toLowerCase())) {
    return {
      id: 'case',
      words: 'the value matches the pattern ignoring letter case (comparison is case-sensitive)',
    }
  }
  return undefined
}
