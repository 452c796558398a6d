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
  'forwarded',
] as const

/** A stable near-miss hint id. */
export type HintId = (typeof hintIds)[number]

/** A detected near miss: the id and the words that explain it in a message. */
export interface Hint {
  readonly id: HintId
  /** Lower-case clause appended to a message after a colon, e.g. `the values differ only by a trailing slash`. */
  readonly words: string
}

/** What each hint means, for `docs/errors.md` and `tessera doctor --help`. */
export const hintDescriptions: Readonly<Record<HintId, string>> = Object.freeze({
  whitespace:
    'the values are equal once whitespace (spaces, newlines, zero-width characters) is removed',
  trailing_slash: 'one value is the other plus one final "/"',
  scheme: 'the values differ only by URL scheme (http vs https, "https://" vs "//" or none)',
  case: 'the values are equal ignoring letter case (comparison is case-sensitive)',
  environment:
    'the values differ by an environment marker (staging, dev, test, qa, sandbox, preprod, prod, …) in a host label or path segment',
  path: 'same origin, different path',
  clock_skew:
    'a time check failed by less than five minutes beyond the leeway: the clocks disagree',
  other_claim:
    'the expected value appears in another claim (azp, client_id, scope, sub, …) rather than the one checked',
  forwarded:
    "the token's audience is another service: it was forwarded instead of exchanged (RFC 8693) for this one",
})
