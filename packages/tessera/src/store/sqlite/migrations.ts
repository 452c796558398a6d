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
]
