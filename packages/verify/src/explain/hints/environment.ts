import type { Hint } from '../hint-id.ts'
import { quote } from '../redact.ts'
import { listWords } from './list-words.ts'
import { hintIfEqual, type Normalised } from './normalised.ts'

/** Host labels and path segments that name a deployment environment (lower case). */
export const environmentMarkers: ReadonlySet<string> = new Set([
  'staging',
  'stage',
  'stg',
  'dev',
  'development',
  'test',
  'testing',
  'qa',
  'uat',
  'sandbox',
  'preprod',
  'pre-prod',
  'prod',
  'production',
  'nonprod',
  'non-prod',
])

// Tokens: one separator character, or a run of anything else. `pre-prod`/`non-prod` (also with
// `_`) are one token when whole, so the `-` inside them is not a separator.
const separators = './_\\-:?#&=@'
const tokenPattern = new RegExp(
  `(?:pre|non)[-_]prod(?![^${separators}])|[${separators}]|[^${separators}]+`,
  'gi',
)
const separatorPattern = new RegExp(`^[${separators}]$`)
const letterOrDigit = /[\p{L}\p{N}]/u

function markerKey(token: string): string {
  return token.toLowerCase().replace('_', '-')
}

interface EnvironmentSplit {
  /** The value with every marker and one adjacent separator per marker removed. */
  readonly rest: string
  /** The markers as written, in order. */
  readonly markers: readonly string[]
}

// Which separator goes with a marker: the `-`/`_` joining it to its label first
// (`api-staging.example.com`), then a `.` between labels (`https://staging.example.com`),
// then the one before it (`/staging/api`), then the one after it (`staging/api`).
function pickSeparator(tokens: readonly string[], before: number, after: number): number {
  const at = (index: number): string => (index < 0 ? '' : (tokens[index] ?? ''))
  if (at(before) === '-' || at(before) === '_') return before
  if (at(after) === '-' || at(after) === '_') return after
  if (at(before) === '.') return before
  if (at(after) === '.') return after
  return before >= 0 ? before : after
}

function splitEnvironment(value: string): EnvironmentSplit {
  const tokens = value.match(tokenPattern) ?? []
  const isSeparator = (index: number): boolean => separatorPattern.test(tokens[index] ?? '')
  const removed = new Set<number>()
  const markers: string[] = []
  tokens.forEach((token, index) => {
    if (isSeparator(index) || !environmentMarkers.has(markerKey(token))) return
    markers.push(token)
    removed.add(index)
    const before = isSeparator(index - 1) && !removed.has(index - 1) ? index - 1 : -1
    const after = isSeparator(index + 1) ? index + 1 : -1
    const separator = pickSeparator(tokens, before, after)
    if (separator >= 0) removed.add(separator)
  })
  return { rest: tokens.filter((_, index) => !removed.has(index)).join(''), markers }
}

function sameMarkers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  const sortedA = a.map(markerKey).sort()
  const sortedB = b.map(markerKey).sort()
  return sortedA.every((marker, index) => marker === sortedB[index])
}

function showMarkers(markers: readonly string[]): string {
  return markers.length === 0 ? 'none' : listWords(markers.map((marker) => quote(marker)))
}

/**
 * Removes environment markers (and one separator each) from both values when the two name
 * different environments and something besides markers remains. Undefined otherwise.
 */
export function removeEnvironment(expected: string, actual: string): Normalised | undefined {
  const expectedSplit = splitEnvironment(expected)
  const actualSplit = splitEnvironment(actual)
  if (sameMarkers(expectedSplit.markers, actualSplit.markers)) return undefined
  // A value that is nothing but a marker ("dev" vs "prod") names no shared thing.
  if (!letterOrDigit.test(expectedSplit.rest) || !letterOrDigit.test(actualSplit.rest)) {
    return undefined
  }
  return {
    expected: expectedSplit.rest,
    actual: actualSplit.rest,
    phrase: `environment (${showMarkers(actualSplit.markers)} instead of ${showMarkers(expectedSplit.markers)})`,
  }
}

/**
 * Detects values that differ only by environment markers in host labels or path segments,
 * whole (`api.staging.example.com`, `/staging/api`) or joined by `-`/`_` (`api-dev`).
 * Words: `the values differ only by environment ("staging" instead of "prod")` — the token's
 * markers first; `none` when a side names no environment.
 */
export function detectEnvironment(expected: string, actual: string): Hint | undefined {
  return hintIfEqual('environment', removeEnvironment(expected, actual))
}
