import type { Hint, HintId } from '../hint-id.ts'
import { removeCase } from './case.ts'
import { removeEnvironment } from './environment.ts'
import { listWords } from './list-words.ts'
import type { Normalised } from './normalised.ts'
import { pathDifference, showPathDifference } from './path.ts'
import { removeScheme } from './scheme.ts'
import { removeTrailingSlash } from './trailing-slash.ts'
import { removeWhitespace } from './whitespace.ts'

interface Step {
  readonly id: HintId
  readonly apply: (expected: string, actual: string) => Normalised | undefined
  /** Whether a path difference may remain after this step (scheme and slash change the path or origin). */
  readonly keepsPath: boolean
}

// Precedence order; each step is applied after the ones before it.
const steps: readonly Step[] = [
  { id: 'whitespace', apply: removeWhitespace, keepsPath: true },
  { id: 'trailing_slash', apply: removeTrailingSlash, keepsPath: false },
  { id: 'scheme', apply: removeScheme, keepsPath: false },
  { id: 'case', apply: removeCase, keepsPath: false },
  { id: 'environment', apply: removeEnvironment, keepsPath: true },
]

interface Applied {
  readonly index: number
  readonly id: HintId
  readonly phrase: string
}

interface Candidate {
  readonly expected: string
  readonly actual: string
  readonly applied: readonly Applied[]
}

function toHint(applied: readonly Applied[], phrases: readonly string[]): Hint | undefined {
  const [first] = applied
  if (first === undefined) return undefined
  return { id: first.id, words: `the values differ by ${listWords(phrases)}` }
}

/**
 * Explains a difference that no single detector does, by the smallest set of normalisation
 * steps (whitespace, trailing slash, scheme, case, environment — earliest in that order on a
 * tie) after which the values are equal, or after which only a same-origin path difference is
 * left (with whitespace and environment only). The id is the first kind needed; the words name
 * them all: `the values differ by a trailing slash and letter case`. Undefined when no set works.
 */
export function detectCombination(expected: string, actual: string): Hint | undefined {
  if (expected === actual) return undefined
  // Every subset of steps, applied in order; a step that changes nothing is not branched on,
  // so at most 2^5 candidates of at most five normalisations each. Applying before skipping
  // keeps the candidates ordered by their kinds' precedence, so among subsets of one size the
  // first found is the one to report.
  let candidates: Candidate[] = [{ expected, actual, applied: [] }]
  steps.forEach((step, index) => {
    const next: Candidate[] = []
    for (const candidate of candidates) {
      const result = step.apply(candidate.expected, candidate.actual)
      if (result !== undefined) {
        next.push({
          expected: result.expected,
          actual: result.actual,
          applied: [...candidate.applied, { index, id: step.id, phrase: result.phrase }],
        })
      }
      next.push(candidate)
    }
    candidates = next
  })

  let equal: Candidate | undefined
  for (const candidate of candidates) {
    if (candidate.applied.length === 0 || candidate.expected !== candidate.actual) continue
    if (equal === undefined || candidate.applied.length < equal.applied.length) equal = candidate
  }
  if (equal !== undefined) {
    return toHint(
      equal.applied,
      equal.applied.map((applied) => applied.phrase),
    )
  }

  let bestPath: { candidate: Candidate; phrase: string } | undefined
  for (const candidate of candidates) {
    if (candidate.applied.length === 0) continue
    if (!candidate.applied.every((applied) => steps[applied.index]?.keepsPath === true)) continue
    const difference = pathDifference(candidate.expected, candidate.actual)
    if (difference === undefined) continue
    if (bestPath === undefined || candidate.applied.length < bestPath.candidate.applied.length) {
      bestPath = { candidate, phrase: `path ${showPathDifference(difference)}` }
    }
  }
  if (bestPath === undefined) return undefined
  return toHint(bestPath.candidate.applied, [
    ...bestPath.candidate.applied.map((applied) => applied.phrase),
    bestPath.phrase,
  ])
}
