import { type Hint, hintIds } from './hint-id.ts'
import { detectHint } from './hints/detect-hint.ts'

/** At most this many values of each list are compared, so a token cannot make us do more work. */
export const maxClosestCandidates = 16

/** Only this many leading characters of each value enter the distance computation. */
export const maxLevenshteinChars = 256

/** The closest expected/actual pair and, when one was detected, its near-miss hint. */
export interface ClosestPair {
  readonly expected: string
  readonly actual: string
  readonly hint?: Hint
}

const highBit = 1 << 31

// Myers' bit-parallel edit distance (J. ACM 46(3), 1999) in Hyyrö's blocked form, as edlib
// implements it: one 32-bit word per 32 characters of the pattern, one pass over the text, so
// 512 × 512 characters cost 512 × 16 word steps instead of 262,144 matrix cells.
function myersDistance(pattern: string, text: string, bound: number): number {
  const m = pattern.length
  const blocks = Math.ceil(m / 32)
  const lastBlock = blocks - 1
  const lastBit = 1 << ((m - 1) & 31)
  const match = new Map<number, Int32Array>()
  for (let i = 0; i < m; i++) {
    const code = pattern.charCodeAt(i)
    let bits = match.get(code)
    if (bits === undefined) {
      bits = new Int32Array(blocks)
      match.set(code, bits)
    }
    bits[i >> 5] = (bits[i >> 5] as number) | (1 << (i & 31))
  }
  const noMatch = new Int32Array(blocks)
  // Vertical deltas of the current column: all +1 in column 0 (D[i][0] = i).
  const plusV = new Int32Array(blocks).fill(-1)
  const minusV = new Int32Array(blocks)
  let score = m
  for (let j = 0; j < text.length; j++) {
    const equal = match.get(text.charCodeAt(j)) ?? noMatch
    // Horizontal delta entering the top block: +1, since D[0][j] = j.
    let carry = 1
    for (let b = 0; b < blocks; b++) {
      const pv = plusV[b] as number
      const mv = minusV[b] as number
      const carryNegative = carry < 0 ? 1 : 0
      const eq = (equal[b] as number) | carryNegative
      const xv = (equal[b] as number) | mv
      const xh = (((eq & pv) + pv) ^ pv) | eq
      let ph = mv | ~(xh | pv)
      let mh = pv & xh
      if (b === lastBlock) {
        if (ph & lastBit) score++
        else if (mh & lastBit) score--
      }
      const carryOut = ph & highBit ? 1 : mh & highBit ? -1 : 0
      ph = (ph << 1) | (carry > 0 ? 1 : 0)
      mh = (mh << 1) | carryNegative
      plusV[b] = mh | ~(xv | ph)
      minusV[b] = ph & xv
      carry = carryOut
    }
    // Each remaining column lowers the score by at most one.
    if (score - (text.length - 1 - j) > bound) return bound + 1
  }
  return score
}

/**
 * The Levenshtein edit distance between the first `maxLevenshteinChars` UTF-16 code units of
 * `a` and `b`. With `max` (a non-negative whole number), returns `max + 1` for any distance
 * above it, stopping as soon as that is certain.
 */
export function levenshtein(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  const bound = max > 0 ? Math.floor(max) : 0
  let shorter = a.slice(0, maxLevenshteinChars)
  let longer = b.slice(0, maxLevenshteinChars)
  if (shorter === longer) return 0
  if (shorter.length > longer.length) [shorter, longer] = [longer, shorter]
  // The distance is at least the difference in length.
  if (longer.length - shorter.length > bound) return bound + 1
  // A common prefix and suffix never change the distance.
  let start = 0
  while (start < shorter.length && shorter.charCodeAt(start) === longer.charCodeAt(start)) start++
  let end = 0
  while (
    end < shorter.length - start &&
    shorter.charCodeAt(shorter.length - 1 - end) === longer.charCodeAt(longer.length - 1 - end)
  ) {
    end++
  }
  const pattern = shorter.slice(start, shorter.length - end)
  const text = longer.slice(start, longer.length - end)
  const distance = pattern === '' ? text.length : myersDistance(pattern, text, bound)
  return distance <= bound ? distance : bound + 1
}

// Hints rank in their id order (whitespace first); a pair without one ranks after all.
function rankOf(hint: Hint | undefined): number {
  return hint === undefined ? hintIds.length : hintIds.indexOf(hint.id)
}

/**
 * Finds the pair of an expected value and a token's value that is most likely a near miss:
 * a pair with a hint beats one without (hints ranked whitespace, trailing slash, scheme, case,
 * environment, path), then the smaller Levenshtein distance, then input order (expected
 * first). Compares at most the first `maxClosestCandidates` of each list. Undefined when
 * either list is empty.
 */
export function findClosest(
  expected: readonly string[],
  actual: readonly string[],
): ClosestPair | undefined {
  const expectedValues = expected.slice(0, maxClosestCandidates)
  const actualValues = actual.slice(0, maxClosestCandidates)
  let best: { pair: ClosestPair; rank: number; distance: number } | undefined
  for (const expectedValue of expectedValues) {
    for (const actualValue of actualValues) {
      const hint = detectHint(expectedValue, actualValue)
      const rank = rankOf(hint)
      if (best !== undefined && rank > best.rank) continue
      // Only a strictly smaller distance displaces an equally ranked earlier pair.
      const max = best !== undefined && rank === best.rank ? best.distance - 1 : undefined
      if (max !== undefined && max < 0) continue
      const distance = levenshtein(expectedValue, actualValue, max)
      if (max !== undefined && distance > max) continue
      const pair: ClosestPair =
        hint === undefined
          ? { expected: expectedValue, actual: actualValue }
          : { expected: expectedValue, actual: actualValue, hint }
      best = { pair, rank, distance }
    }
  }
  return best?.pair
}
