import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Clock } from '@tessera/verify'
import type { JoinTokenStore, StoredJoinToken } from '../../issuer/index.ts'
import { duplicateJoinToken } from '../duplicate-join-token.ts'
import { storeFailure } from './store-failure.ts'

/**
 * `JoinTokenStore` on the `join_tokens` table. `consume` is a single
 * `DELETE … RETURNING`, so two processes redeeming the same token cannot both get it; expired
 * rows are swept whenever a token is created.
 */
export class SqliteJoinTokenStore implements JoinTokenStore {
  readonly #clock: Clock
  readonly #insert: StatementSync
  readonly #consume: StatementSync
  readonly #sweep: StatementSync

  constructor(db: DatabaseSync, clock: Clock) {
    this.#clock = clock
    this.#insert = db.prepare(
      'INSERT INTO join_tokens (token_hash, spiffe_id, expires_at, created_at) VALUES (?, ?, ?, ?)',
    )
    this.#consume = db.prepare(
      'DELETE FROM join_tokens WHERE token_hash = ? RETURNING spiffe_id, expires_at, created_at',
    )
    this.#sweep = db.prepare('DELETE FROM join_tokens WHERE expires_at <= ?')
  }

  /** @throws {TesseraError} `internal_error` when the hash exists or the write fails. */
  async create(token: StoredJoinToken): Promise<void> {
    try {
      this.#sweep.run(this.#clock())
      this.#insert.run(token.tokenHash, token.spiffeId, token.expiresAt, token.createdAt)
    } catch (error) {
      if (isPrimaryKeyConflict(error)) throw duplicateJoinToken(error)
      throw storeFailure('store the join token', error)
    }
  }

  async consume(tokenHash: string, now: number): Promise<StoredJoinToken | undefined> {
    let row: Record<string, unknown> | undefined
    try {
      row = this.#consume.get(tokenHash)
    } catch (error) {
      throw storeFailure('consume the join token', error)
    }
    // The row is gone either way: an expired token is dead at its expiry second (exp
    // semantics) and is never usable again.
    if (row === undefined || Number(row.expires_at) <= now) return undefined
    return {
      tokenHash,
      spiffeId: String(row.spiffe_id),
      expiresAt: Number(row.expires_at),
      createdAt: Number(row.created_at),
    }
  }
}

function isPrimaryKeyConflict(error: unknown): boolean {
  // SQLITE_CONSTRAINT_PRIMARYKEY (1555): the extended result code of a duplicate primary key.
  return (error as { errcode?: unknown }).errcode === 1555
}
