/** One step of the SQLite schema; applied once, in its own transaction, in version order. */
export interface Migration {
  /** 1, 2, 3, … with no gaps; recorded in `schema_version` once applied. */
  readonly version: number
  readonly description: string
  /** The statements, run with `exec`. */
  readonly sql: string
}

/**
 * The SQLite schema, oldest step first. Append only: a released migration is never edited,
 * because databases in the field have already run it.
 *
 * Tables are STRICT so that a wrongly typed value fails loudly instead of being coerced.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'signing keys, join tokens, replay identifiers, audit log',
    sql: `
      CREATE TABLE signing_keys (
        kid TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        json TEXT NOT NULL
      ) STRICT;

      CREATE TABLE join_tokens (
        token_hash TEXT PRIMARY KEY,
        spiffe_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX join_tokens_expires_at ON join_tokens (expires_at);

      CREATE TABLE replay (
        key TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX replay_expires_at ON replay (expires_at);

      -- AUTOINCREMENT: ids are never reused, even after the newest rows are deleted, so a
      -- cursor handed out earlier can never point into a different set of records.
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        correlation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        decision TEXT NOT NULL,
        code TEXT,
        policy TEXT,
        json TEXT NOT NULL
      ) STRICT;
      -- Each filter index ends in id so that a filtered page is read in id order, newest first,
      -- without a sort.
      CREATE INDEX audit_time ON audit (time);
      CREATE INDEX audit_correlation_id ON audit (correlation_id, id);
      CREATE INDEX audit_kind ON audit (kind, id);
      CREATE INDEX audit_decision ON audit (decision, id);
      CREATE INDEX audit_code ON audit (code, id);
      CREATE INDEX audit_policy ON audit (policy, id);
    `,
  },
  {
    version: 2,
    description: 'audit log: plain integer ids and fewer, partial indexes, for cheaper appends',
    // Every index is written by every append that it covers: version 1's six, plus
    // AUTOINCREMENT's sqlite_sequence row, made an append about four times the cost of the row
    // alone (40–54 µs against 11 µs per record at five records a commit, measured). The table
    // is rebuilt (a primary key cannot be altered), keeping every row and its id.
    //
    // - `id INTEGER PRIMARY KEY` without AUTOINCREMENT: SQLite gives max(id) + 1, so an id could
    //   be reused only after the row holding the largest id was deleted. Audit rows are never
    //   deleted — nothing in Tessera deletes them — so ids still only grow and a cursor never
    //   points into a different set of records. A future retention must keep the newest row.
    // - An index on a column holds the rowid after it, so `(column)` serves
    //   `column = ? AND id < ? ORDER BY id DESC` as `(column, id)` did.
    // - code and decision = 'deny' are indexed only for denials (partial indexes): an allowed
    //   exchange, the common record, writes neither. The store filters `decision = 'deny'` as a
    //   literal so that the planner can match the partial index.
    // - kind (two values) and time are no longer indexed: the planner already served `since` by
    //   walking ids newest first (it spares the sort a LIMIT would need; version 1's time index
    //   went unused), and a kind-only query now does the same — quick while that kind is common
    //   among recent records, a longer walk when it is rare.
    sql: `
      CREATE TABLE audit_v2 (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        correlation_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        decision TEXT NOT NULL,
        code TEXT,
        policy TEXT,
        json TEXT NOT NULL
      ) STRICT;
      INSERT INTO audit_v2 (id, time, correlation_id, kind, decision, code, policy, json)
        SELECT id, time, correlation_id, kind, decision, code, policy, json FROM audit;
      DROP TABLE audit;
      ALTER TABLE audit_v2 RENAME TO audit;
      CREATE INDEX audit_correlation_id ON audit (correlation_id);
      CREATE INDEX audit_policy ON audit (policy);
      CREATE INDEX audit_code ON audit (code) WHERE code IS NOT NULL;
      CREATE INDEX audit_denials ON audit (decision) WHERE decision = 'deny';
    `,
  },
]
