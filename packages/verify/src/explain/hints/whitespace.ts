import type { Hint } from '../hint-id.ts'
import { listWords } from './list-words.ts'
import type { Normalised } from './normalised.ts'

// Every character JavaScript's \s matches (Unicode Zs, tab, line feed, vertical tab, form feed,
// carriage return, line and paragraph separators, byte order mark) plus the zero-width
// characters \s misses. Spelled out so each one has a name in the words.
const names: ReadonlyMap<string, string> = new Map([
  ['\t', 'tab'],
  ['\n', 'newline'],
  ['\v', 'vertical tab'],
  ['\f', 'form feed'],
  ['\r', 'carriage return'],
  [' ', 'space'],
  ['\u00a0', 'non-breaking space'],
  ['\u1680', 'ogham space mark'],
  ['\u2000', 'en quad'],
  ['\u2001', 'em quad'],
  ['\u2002', 'en space'],
  ['\u2003', 'em space'],
  ['\u2004', 'three-per-em space'],
  ['\u2005', 'four-per-em space'],
  ['\u2006', 'six-per-em space'],
  ['\u2007', 'figure space'],
  ['\u2008', 'punctuation space'],
  ['\u2009', 'thin space'],
  ['\u200a', 'hair space'],
  ['\u200b', 'zero-width space'],
  ['\u200c', 'zero-width non-joiner'],
  ['\u200d', 'zero-width joiner'],
  ['\u2028', 'line separator'],
  ['\u2029', 'paragraph separator'],
  ['\u202f', 'narrow no-break space'],
  ['\u205f', 'medium mathematical space'],
  ['\u2060', 'word joiner'],
  ['\u3000', 'ideographic space'],
  ['\ufeff', 'byte order mark'],
])

// None of the characters above is special inside a character class.
const anyWhitespace = new RegExp(`[${[...names.keys()].join('')}]`, 'g')

/** The whitespace characters the detector removes, with the name the words use for each. */
export const whitespaceNames: ReadonlyMap<string, string> = names

/** Removes every whitespace and zero-width character (see `whitespaceNames`). */
export function stripWhitespace(value: string): string {
  return value.replace(anyWhitespace, '')
}

/** Removes all whitespace from both values; undefined when neither contains any. */
export function removeWhitespace(expected: string, actual: string): Normalised | undefined {
  const strippedExpected = stripWhitespace(expected)
  const strippedActual = stripWhitespace(actual)
  if (strippedExpected === expected && strippedActual === actual) return undefined
  return { expected: strippedExpected, actual: strippedActual, phrase: 'whitespace' }
}

interface Gaps {
  /** The value without whitespace. */
  readonly skeleton: string
  /** The whitespace before each skeleton character, and after the last one. */
  readonly gaps: readonly string[]
}

function splitGaps(value: string): Gaps {
  let skeleton = ''
  let gap = ''
  const gaps: string[] = []
  for (const char of value) {
    if (names.has(char)) {
      gap += char
    } else {
      gaps.push(gap)
      gap = ''
      skeleton += char
    }
  }
  gaps.push(gap)
  return { skeleton, gaps }
}

function countPhrase(name: string, count: number): string {
  return count === 1 ? `a ${name}` : `${count} ${name}s`
}

// `a trailing newline`, `2 leading spaces`, `trailing whitespace made of a carriage return and a newline`.
function describeRun(run: string, position: string): string {
  const counts = new Map<string, number>()
  for (const char of run) {
    const name = names.get(char) ?? 'whitespace character'
    counts.set(name, (counts.get(name) ?? 0) + 1)
  }
  const prefix = position === '' ? '' : `${position} `
  const entries = [...counts]
  const [only] = entries
  if (only !== undefined && entries.length === 1) return countPhrase(`${prefix}${only[0]}`, only[1])
  return `${prefix}whitespace made of ${listWords(entries.map(([name, count]) => countPhrase(name, count)))}`
}

interface SideRuns {
  leading: string
  inner: string
  trailing: string
}

function describeSide(who: string, runs: SideRuns): string | undefined {
  const has: string[] = []
  if (runs.leading !== '') has.push(describeRun(runs.leading, 'leading'))
  if (runs.trailing !== '') has.push(describeRun(runs.trailing, 'trailing'))
  const clauses: string[] = []
  if (has.length > 0) clauses.push(`has ${listWords(has)}`)
  if (runs.inner !== '') clauses.push(`contains ${describeRun(runs.inner, '')}`)
  if (clauses.length === 0) return undefined
  return `${who} ${clauses.join(has.length > 1 ? ', and ' : ' and ')}`
}

/**
 * Detects values that are equal once all whitespace (including NBSP and zero-width
 * characters) is removed. The words name what each side has where the two differ:
 * `the values differ only by whitespace (the token's value has a trailing newline)`.
 */
export function detectWhitespace(expected: string, actual: string): Hint | undefined {
  if (expected === actual || stripWhitespace(expected) !== stripWhitespace(actual)) return undefined
  const expectedGaps = splitGaps(expected)
  const actualGaps = splitGaps(actual)
  if (expectedGaps.skeleton !== actualGaps.skeleton) return undefined
  const last = expectedGaps.gaps.length - 1
  const actualRuns: SideRuns = { leading: '', inner: '', trailing: '' }
  const expectedRuns: SideRuns = { leading: '', inner: '', trailing: '' }
  for (let i = 0; i <= last; i++) {
    const expectedGap = expectedGaps.gaps[i] ?? ''
    const actualGap = actualGaps.gaps[i] ?? ''
    if (expectedGap === actualGap) continue
    // A value that is only whitespace has one gap; it reads best as trailing.
    const position = i === last ? 'trailing' : i === 0 ? 'leading' : 'inner'
    actualRuns[position] += actualGap
    expectedRuns[position] += expectedGap
  }
  const clauses = [
    describeSide("the token's value", actualRuns),
    describeSide('the expected value', expectedRuns),
  ].filter((clause) => clause !== undefined)
  return { id: 'whitespace', words: `the values differ only by whitespace (${clauses.join('; ')})` }
}
