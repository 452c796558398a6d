import { detectHint, type Hint } from '@tessera/verify'

/** A live value paired with the exported value it nearly equals, and the hint that says how. */
export interface NearMiss {
  readonly value: string
  readonly hint: Hint
}

/**
 * Pairs each exported value absent from the live list with the first live value (itself not
 * exported) that is a near miss of it, so one drift is one finding: a paired value is a
 * `drift_mismatch`, an unpaired exported one `drift_missing`, an unpaired live one `drift_extra`.
 */
export function nearMisses(
  exported: readonly string[],
  live: readonly string[],
): Map<string, NearMiss> {
  const pairs = new Map<string, NearMiss>()
  const taken = new Set<string>()
  for (const want of exported) {
    if (live.includes(want)) continue
    for (const value of live) {
      if (exported.includes(value) || taken.has(value)) continue
      const hint = detectHint(want, value)
      if (hint === undefined) continue
      pairs.set(want, { value, hint })
      taken.add(value)
      break
    }
  }
  return pairs
}
