import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Clock, ReplayStore } from '@tessera/verify'
import { storeFailure } from './store-failure.ts'

/** Seconds between two sweeps of expired identifiers by one process. */
const sweepEverySeconds = 60
/** Rows deleted per sweep, so that a sweep holds the write lock only briefly. */
const sweepBatch = 1000

/**
 * `ReplayStore` on the `replay` table. `use` is one statement — insert, or take over a row
 * whose expiry has passed — and `changes()` says which happened, so it is atomic across
 * connections and processes without a read-then-write race. It answers synchronously (the
 * driver is synchronous), which keeps the verifier on its fast path.
 */
export class SqliteReplayStore implements ReplayStore {
  readonly #clock: Clock
  readonly #use: StatementSync
  readonly #sweep: StatementSync
  #nextSweep = 0

  constructor(db: DatabaseSync, clock: Clock) {
    this.#clock = clock
    this.#use = db.prepare(
      `INSERT INTO replay (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
       WHERE replay.expires_at <= ?`,
    )
    this.#sweep = db.prepare(
      `DELETE FROM replay WHERE key IN
         (SELECT key FROM replay WHERE expires_at <= ? LIMIT ${sweepBatch})`,
    )
  }

  /** @throws {TesseraError} `internal_error` when SQLite fails: fail closed, never "unseen". */
  use(key: string, expiresAt: number): boolean {
    const now = this.#clock()
    // Rounding up keeps an identifier at least as long as asked; the column is an integer.
    const until = Math.min(Math.ceil(expiresAt), Number.MAX_SAFE_INTEGER)
    try {
      if (now >= this.#nextSweep) {
        this.#nextSweep = now + sweepEverySeconds
        this.#sweep.run(now)
      }
      return Number(this.#use.run(key, until, now).changes) === 1
    } catch (error) {
      throw storeFailure('record the replay identifier', error)
    }
  }
}
