// An injected clock and scheduler for config and app tests (the agent's testing/manual-timers.ts,
// which config does not import): time moves only when the test says so, and each due timer
// runs to completion (its requests on loopback included) before the next.
import type { Schedule } from '../refresh-saml-trust.ts'

/** A test clock with the timers of the SAML metadata refresh. */
export interface ManualTimers {
  /** Epoch seconds. */
  readonly clock: () => number
  readonly schedule: Schedule
  /** Moves the clock by `seconds` without running timers. */
  advance(seconds: number): void
  /** Runs every timer due up to `until`, in order, moving the clock to each; ends at `until`. */
  runUntil(until: number): Promise<void>
  /** Runs the next timer only (moving the clock to it); false when none is pending. */
  runNext(): Promise<boolean>
  /** How many timers are pending. */
  pending(): number
}

/** Creates manual timers starting at `start` (epoch seconds). */
export function manualTimers(start: number): ManualTimers {
  let now = start
  const timers: { due: number; fn: () => Promise<void> }[] = []
  const next = () =>
    timers.reduce<(typeof timers)[number] | undefined>(
      (best, t) => (best === undefined || t.due < best.due ? t : best),
      undefined,
    )
  const runOne = async (timer: (typeof timers)[number]) => {
    timers.splice(timers.indexOf(timer), 1)
    now = Math.max(now, timer.due)
    await timer.fn()
  }
  return {
    clock: () => now,
    schedule: (delayMs, fn) => {
      const timer = { due: now + delayMs / 1000, fn }
      timers.push(timer)
      return () => {
        const i = timers.indexOf(timer)
        if (i >= 0) timers.splice(i, 1)
      }
    },
    advance: (seconds) => {
      now += seconds
    },
    async runUntil(until) {
      for (let timer = next(); timer !== undefined && timer.due <= until; timer = next())
        await runOne(timer)
      now = Math.max(now, until)
    },
    async runNext() {
      const timer = next()
      if (timer === undefined) return false
      await runOne(timer)
      return true
    },
    pending: () => timers.length,
  }
}
