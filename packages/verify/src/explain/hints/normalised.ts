import type { Hint, HintId } from '../hint-id.ts'

/** Both values after one normalisation step, and the phrase naming what the step removed. */
export interface Normalised {
  readonly expected: string
  readonly actual: string
  /** Noun phrase for the removed difference, e.g. `a trailing slash` or `letter case`. */
  readonly phrase: string
}

/**
 * The hint for a step that alone explains the difference: `the values differ only by <phrase>`
 * when the step made the values equal, otherwise undefined.
 */
export function hintIfEqual(id: HintId, normalised: Normalised | undefined): Hint | undefined {
  if (normalised === undefined || normalised.expected !== normalised.actual) return undefined
  return { id, words: `the values differ only by ${normalised.phrase}` }
}
