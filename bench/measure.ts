/**
 * Tiny measurement helpers for the benches: time-sliced sequential loops and robust statistics.
 * Every contestant runs one call at a time on a pool of distinct tokens; an async contestant is
 * awaited call by call (its promise cost is part of what a caller pays), a sync one is called
 * directly.
 */

/** One implementation under test. */
export interface Contestant {
  readonly name: string
  /** `sync` runs in a plain loop; `async` is awaited call by call (still sequential). */
  readonly kind: 'sync' | 'async'
  readonly run: (token: string) => unknown
}

/** Operations done in one time slice. */
export interface Slice {
  readonly ops: number
  readonly ms: number
}

// Results land here so no call can be considered dead.
let sink: unknown
/** The last value any measured call returned (read it to keep the optimiser honest). */
export const lastResult = (): unknown => sink

// Calls between two clock reads: small enough not to overshoot a slice by much.
const batch = 8

/** Runs `c` over `tokens` (length a power of two) until `sliceMs` has passed. */
export async function runSlice(
  c: Contestant,
  tokens: readonly string[],
  sliceMs: number,
): Promise<Slice> {
  const mask = tokens.length - 1
  if (tokens.length === 0 || (tokens.length & mask) !== 0) {
    throw new Error('the token pool size must be a power of two')
  }
  const fn = c.run
  let n = 0
  const start = performance.now()
  const deadline = start + sliceMs
  let end = start
  if (c.kind === 'sync') {
    do {
      for (let i = 0; i < batch; i++) sink = fn(tokens[n++ & mask] as string)
      end = performance.now()
    } while (end < deadline)
  } else {
    do {
      for (let i = 0; i < batch; i++) sink = await fn(tokens[n++ & mask] as string)
      end = performance.now()
    } while (end < deadline)
  }
  return { ops: n, ms: end - start }
}

/** Operations per second of a slice. */
export const opsPerSecond = (s: Slice): number => (s.ops * 1000) / s.ms

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const hi = sorted[mid] as number
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] as number) + hi) / 2
}

/** Median absolute deviation relative to the median, in percent: the run-to-run noise. */
export function madPercent(values: readonly number[]): number {
  const m = median(values)
  return m === 0 ? 0 : (median(values.map((v) => Math.abs(v - m))) / m) * 100
}

/** `xs` rotated left by `k`. */
export function rotate<T>(xs: readonly T[], k: number): T[] {
  const n = xs.length
  const r = ((k % n) + n) % n
  return [...xs.slice(r), ...xs.slice(0, r)]
}

/** A fixed-width text table. Numeric-looking cells are right-aligned. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0
        return /^[-+±×\d.,% ]+[×%]?$/.test(cell) && i > 0 ? cell.padStart(w) : cell.padEnd(w)
      })
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
