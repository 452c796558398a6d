import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import type { Clock } from '@tessera/verify'
import type { Stores } from '../stores.ts'
import { migrate } from './migrate.ts'
import { migrations } from './migrations.ts'
import { SqliteAuditSink } from './sqlite-audit-sink.ts'
import { SqliteJoinTokenStore } from './sqlite-join-token-store.ts'
import { SqliteKeyStore } from './sqlite-key-store.ts'
import { SqliteReplayStore } from './sqlite-replay-store.ts'
import { storeFailure } from './store-failure.ts'

/** Options of `openSqliteStores`. */
export interface SqliteStoresOptions {
  /** Directory of `tessera.db`; created with mode 0700 when absent. */
  readonly dataDir: string
  /** Epoch-seconds clock: expiry of join tokens and replay identifiers, migration times. */
  readonly clock: Clock
  /**
   * How long a statement waits for another connection's write lock, in milliseconds
   * (default 5 000): the server and a `tessera keys` or `join-token create` process share the
   * file, and a short write by one must not fail the other.
   */
  readonly busyTimeoutMs?: number
  /**
   * How often the WAL is checkpointed into the database file, in milliseconds (default
   * 5 000); see `openSqliteStores`.
   */
  readonly checkpointIntervalMs?: number
}

/** Default of `checkpointIntervalMs`. */
export const defaultCheckpointIntervalMs = 5000

/** File name of the database inside `dataDir`. */
export const databaseFileName = 'tessera.db'

/**
 * Opens (creating and migrating as needed) the SQLite database `<dataDir>/tessera.db` and
 * returns the stores on it. Journal mode WAL lets the server read while a CLI process writes,
 * and several processes may open the same file at once.
 *
 * Checkpoints (copying the WAL back into the database file, with an fsync of each) are taken
 * off the request path: SQLite's automatic checkpoint runs inside whichever commit pushes the
 * WAL past 1 000 pages — an audit append, so about one exchange in fifty paid for it, the p99
 * tail of the exchange bench. It is turned off (`wal_autocheckpoint = 0`); instead a PASSIVE
 * checkpoint (never waits for readers or writers, in this or another process) runs every
 * `checkpointIntervalMs` on an unref'd timer, and on close. The WAL then holds about one
 * interval of writes (at ~2 200 exchanges/s, some 25 000 pages in 5 s); a checkpoint that
 * fails only leaves it longer, and the next one catches up. A reader never needs a
 * checkpoint: committed data is read from the WAL.
 *
 * The checkpoint still runs on the event loop: at that load it takes 80–130 ms every 5 s,
 * which delays the ~10 requests in flight (p99.9, not p99). Running it on the event loop is
 * also what keeps the WAL bounded: between two commits it is complete, so the next commit
 * restarts the WAL from its beginning. A checkpoint from another thread under steady load is
 * never complete — commits go on meanwhile — and the WAL grew by ~15 MB/s until a complete
 * one ran here (measured); copying the bulk there and the tail here cut the stall to 12–19 ms
 * with no measurable change in throughput or p99, so the simpler timer stays.
 *
 * @throws {TesseraError} `internal_error` when the directory cannot be created, the file is
 * not a database, a migration fails, or the schema is newer than this Tessera.
 * @example
 * const stores = await openSqliteStores({ dataDir: '/var/lib/tessera', clock: systemClock })
 * try { await stores.audit.append(record) } finally { await stores.close() }
 */
export async function openSqliteStores(options: SqliteStoresOptions): Promise<Stores> {
  const dataDir = resolve(options.dataDir)
  const file = join(dataDir, databaseFileName)
  try {
    // The directory holds the sealed signing keys and possibly the key-encryption key: only
    // the owner may list or read it.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw storeFailure(`create the data directory ${JSON.stringify(dataDir)}`, error)
  }
  let db: DatabaseSync | undefined
  try {
    db = new DatabaseSync(file, { timeout: options.busyTimeoutMs ?? 5000 })
    db.exec('PRAGMA journal_mode = WAL')
    // NORMAL is durable across a process crash in WAL mode and saves an fsync per commit.
    db.exec('PRAGMA synchronous = NORMAL')
    db.exec('PRAGMA foreign_keys = ON')
    db.exec('PRAGMA wal_autocheckpoint = 0')
    migrate(db, migrations, options.clock)
    return sqliteStores(
      db,
      options.clock,
      options.checkpointIntervalMs ?? defaultCheckpointIntervalMs,
    )
  } catch (error) {
    if (db?.isOpen) db.close()
    throw storeFailure(`open ${JSON.stringify(file)}`, error)
  }
}

function sqliteStores(db: DatabaseSync, clock: Clock, checkpointIntervalMs: number): Stores {
  const audit = new SqliteAuditSink(db)
  const timer = setInterval(() => {
    try {
      db.exec('PRAGMA wal_checkpoint(PASSIVE)')
    } catch {
      // Only the WAL's length depends on it: the next interval retries, close reports a failure.
    }
  }, checkpointIntervalMs)
  // A store never keeps the process alive on its own.
  timer.unref()
  return {
    keys: new SqliteKeyStore(db),
    joinTokens: new SqliteJoinTokenStore(db, clock),
    replay: new SqliteReplayStore(db, clock),
    audit,
    close: async () => {
      if (!db.isOpen) return
      clearInterval(timer)
      try {
        // Records appended in this turn are committed (their appends resolve) before closing.
        audit.flush()
        // PASSIVE copies what it can into the database file without waiting for readers in
        // other processes; the last connection to close removes the WAL anyway.
        db.exec('PRAGMA wal_checkpoint(PASSIVE)')
      } catch (error) {
        throw storeFailure('checkpoint the database', error)
      } finally {
        db.close()
      }
    },
  }
}
