import type { Hint } from '../hint-id.ts'
import { detectCase } from './case.ts'
import { detectCombination } from './detect-combination.ts'
import { detectEnvironment } from './environment.ts'
import { detectPath } from './path.ts'
import { detectScheme } from './scheme.ts'
import { detectTrailingSlash } from './trailing-slash.ts'
import { detectWhitespace } from './whitespace.ts'

// Precedence order: the first detector that explains the whole difference wins.
const detectors: readonly ((expected: string, actual: string) => Hint | undefined)[] = [
  detectWhitespace,
  detectTrailingSlash,
  detectScheme,
  detectCase,
  detectEnvironment,
  detectPath,
]

/**
 * The near-miss hint for an expected value and the token's value, or undefined when they are
 * equal or unrelated. Runs the detectors in precedence order (whitespace, trailing slash,
 * scheme, case, environment, path) and returns the first hint; when none explains the
 * difference alone, looks for the smallest combination that does and reports the first kind
 * needed, with words naming all of them (`the values differ by a trailing slash and letter case`).
 * Whether a hint is found does not depend on the order of the arguments.
 */
export function detectHint(expected: string, actual: string): Hint | undefined {
  if (expected === actual) return undefined
  for (const detect of detectors) {
    const hint = detect(expected, actual)
    if (hint !== undefined) return hint
  }
  return detectCombination(expected, actual)
}
