import type { DatabaseSync } from 'node:sqlite'
import { type Clock, TesseraError } from '@tessera/verify'
import type { Migration } from './migrations.ts'
import { storeFailure } from './store-failure.ts'

/**
 * Brings the database up to the newest step of `steps`. Each pending step runs in its own
 * `BEGIN IMMEDIATE` transaction together with its `schema_version` row, so a failed step
 * leaves the database at the previous version, never half-way.
 *
 * @returns The schema version the database is at afterwards (the last step's).
 * @throws {TesseraError} `internal_error` when a step fails (the step is named, the SQLite
 * error is the `cause`) or when the database was written by a newer Tessera.
 */
export function migrate(db: DatabaseSync, steps: readonly Migration[], clock: Clock): number {
  const latest = steps.at(-1)?.version ?? 0
  for (;;) {
    let step: Migration | undefined
    try {
      // IMMEDIATE takes the write lock before the version is read: a CLI process opening the
      // same file at the same moment waits (busy_timeout), then finds the step applied.
      db.exec('BEGIN IMMEDIATE')
      const current = currentVersion(db)
      // Refused before anything is written: an older binary must not touch a newer schema.
      if (current > latest) throw tooNew(current, latest)
      step = steps.find((candidate) => candidate.version > current)
      if (step !== undefined) {
        db.exec(step.sql)
        db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(
          step.version,
          clock(),
        )
      }
      db.exec('COMMIT')
    } catch (error) {
      if (db.isOpen && db.isTransaction) db.exec('ROLLBACK')
      throw storeFailure(
        step === undefined
          ? 'read the schema version'
          : `apply migration ${step.version} (${step.description})`,
        error,
      )
    }
    if (step === undefined) return latest
  }
}

function currentVersion(db: DatabaseSync): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL) STRICT',
  )
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get()
  return typeof row?.version === 'number' ? row.version : 0
}

function tooNew(found: number, known: number): TesseraError {
  return new TesseraError({
    code: 'internal_error',
    message: `the database is at schema version ${found}, newer than this Tessera knows (${known}): upgrade Tessera, or point store.dataDir at another directory`,
    expected: `schema version <= ${known}`,
    actual: `schema version ${found}`,
  })
}
