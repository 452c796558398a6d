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
}

/** File name of the database inside `dataDir`. */
export const databaseFileName = 'tessera.db'

/**
 * Opens (creating and migrating as needed) the SQLite database `<dataDir>/tessera.db` and
 * returns the stores on it. Journal mode WAL lets the server read while a CLI process writes,
 * and several processes may open the same file at once.
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
    migrate(db, migrations, options.clock)
    return sqliteStores(db, options.clock)
  } catch (error) {
    if (db?.isOpen) db.close()
    throw storeFailure(`open ${JSON.stringify(file)}`, error)
  }
}

function sqliteStores(db: DatabaseSync, clock: Clock): Stores {
  return {
    keys: new SqliteKeyStore(db),
    joinTokens: new SqliteJoinTokenStore(db, clock),
    replay: new SqliteReplayStore(db, clock),
    audit: new SqliteAuditSink(db),
    close: async () => {
      if (!db.isOpen) return
      try {
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
