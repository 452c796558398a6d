/** Stable ids of near-miss hints: why two values that should be equal are not. */
export const hintIds = [
  'whitespace',
  'trailing_slash',
  'scheme',
  'case',
  'environment',
  'path',
  'clock_skew',
  'other_claim',
] as const

/** A stable near-miss hint id. */
export type HintId = (typeof hintIds)[number]

/** A detected near miss: the id and the words that explain it in a message. */
export interface Hint {
  readonly id: HintId
  /** Lower-case clause appended to a message after a colon, e.g. `the values differ only by a trailing slash`. */
  readonly words: string
}
