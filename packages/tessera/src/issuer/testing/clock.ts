import type { Clock } from '@tessera/verify'

/** A clock for tests: starts at `start` (epoch seconds) and moves only when told. */
export interface SteppableClock {
  readonly now: Clock
  advance(seconds: number): void
  set(epochSeconds: number): void
}

/** Creates a steppable clock (default start: 2026-01-01T00:00:00Z). */
export function steppableClock(start = 1_767_225_600): SteppableClock {
  let current = start
  return {
    now: () => current,
    advance: (seconds) => {
      current += seconds
    },
    set: (epochSeconds) => {
      current = epochSeconds
    },
  }
}
