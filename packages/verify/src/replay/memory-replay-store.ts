import { TesseraError } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import type { ReplayStore } from './replay-store.ts'

/** Options of `MemoryReplayStore`. */
export interface MemoryReplayStoreOptions {
  /** Epoch-seconds clock; defaults to the system clock. */
  readonly clock?: Clock
  /** Most identifiers held at once (default 100 000); beyond it, new ones are refused. */
  readonly maxEntries?: number
}

/**
 * An in-process `ReplayStore`: a map from key to expiry, swept as it grows. When full of
 * unexpired entries it throws `replay` (fails closed) rather than forgetting live ones,
 * which would reopen the replay window.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #seen = new Map<string, number>()
  readonly #clock: Clock
  readonly #maxEntries: number
  #nextSweep = 0

  constructor(options: MemoryReplayStoreOptions = {}) {
    const maxEntries = options.maxEntries ?? 100_000
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TesseraError({
        code: 'invalid_options',
        message: 'MemoryReplayStore options are invalid',
        problems: [{ path: 'maxEntries', message: 'must be a positive integer' }],
      })
    }
    this.#clock = options.clock ?? systemClock
    this.#maxEntries = maxEntries
  }

  /** Number of identifiers currently remembered (expired ones may linger until a sweep). */
  get size(): number {
    return this.#seen.size
  }

  use(key: string, expiresAt: number): boolean {
    const now = this.#clock()
    const until = this.#seen.get(key)
    if (until !== undefined && until > now) return false
    if (this.#seen.size >= this.#maxEntries || now >= this.#nextSweep) this.#sweep(now)
    if (this.#seen.size >= this.#maxEntries) {
      throw new TesseraError({
        code: 'replay',
        message: `replay store holds ${this.#maxEntries} unexpired identifiers: refusing new ones rather than forgetting live ones`,
        expected: `< ${this.#maxEntries} entries`,
        actual: `${this.#seen.size} entries`,
      })
    }
    this.#seen.set(key, expiresAt)
    return true
  }

  #sweep(now: number): void {
    for (const [key, until] of this.#seen) if (until <= now) this.#seen.delete(key)
    this.#nextSweep = now + 60
  }
}
