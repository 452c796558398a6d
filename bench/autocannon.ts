import { createRequire } from 'node:module'

// autocannon is CommonJS without types; the slice of its API the HTTP benches use.

/** What a finished autocannon run reports. */
export interface AutocannonResult {
  readonly duration: number
  readonly errors: number
  readonly timeouts: number
  readonly non2xx: number
  readonly resets: number
  readonly '2xx': number
  readonly statusCodeStats: Record<string, { count: number }>
  readonly requests: { readonly average: number; readonly total: number }
}

/** A running autocannon instance: a promise of its result that reports each response. */
export interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(
    event: 'response',
    listener: (client: unknown, status: number, bytes: number, ms: number) => void,
  ): void
}

/** Starts a load run. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
) => AutocannonInstance

/** The p-th percentile of ascending values (nearest rank), NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  return sorted[Math.max(0, index)] as number
}
