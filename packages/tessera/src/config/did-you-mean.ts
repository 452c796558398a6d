import { findClosest } from '@tessera/verify'

// Edit distance of two short strings (config keys and enum values), counting a swap of two
// neighbours as one edit ("tsl" → "tls"): the optimal-string-alignment form of Damerau's.
// `findClosest` picks the candidate; this only decides whether it is close enough to suggest.
function distance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)]
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(
        (rows[i - 1]?.[j - 1] as number) + cost,
        (rows[i - 1]?.[j] as number) + 1,
        (row[j - 1] as number) + 1,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] as number) + 1)
      }
      row.push(best)
    }
    rows.push(row)
  }
  return rows[a.length]?.[b.length] as number
}

/**
 * The known name `value` was most likely meant to be, or undefined when none is close: a
 * near-miss `findClosest` recognises (case, whitespace, …) or an edit distance of at most a
 * third of the longer name (at least 1), so "polcies" suggests "policies" and "foo" nothing.
 */
export function didYouMean(value: string, known: readonly string[]): string | undefined {
  // findClosest looks at 16 candidates at most: take each group's best, then the best of those.
  const winners: string[] = []
  for (let i = 0; i < known.length; i += 16) {
    const best = findClosest(known.slice(i, i + 16), [value])
    if (best !== undefined) winners.push(best.expected)
  }
  const closest = findClosest(winners, [value])
  if (closest === undefined) return undefined
  if (closest.hint !== undefined) return closest.expected
  const limit = Math.max(1, Math.floor(Math.max(value.length, closest.expected.length) / 3))
  return distance(value.slice(0, 64), closest.expected.slice(0, 64)) <= limit
    ? closest.expected
    : undefined
}
