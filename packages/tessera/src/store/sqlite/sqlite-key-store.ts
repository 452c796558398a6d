import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { KeyStore, StoredSigningKey } from '../../issuer/index.ts'
import { compareKeys } from '../key-order.ts'
import { storeFailure } from './store-failure.ts'

/**
 * `KeyStore` on the `signing_keys` table: one row per kid holding the whole record as JSON
 * (the private half is already sealed by the issuer), with `state` as a column for inspection.
 * `put` is one upsert statement, so each lifecycle step is atomic.
 */
export class SqliteKeyStore implements KeyStore {
  readonly #list: StatementSync
  readonly #put: StatementSync
  readonly #delete: StatementSync

  constructor(db: DatabaseSync) {
    this.#list = db.prepare('SELECT kid, json FROM signing_keys')
    this.#put = db.prepare(
      `INSERT INTO signing_keys (kid, state, json) VALUES (?, ?, ?)
       ON CONFLICT (kid) DO UPDATE SET state = excluded.state, json = excluded.json`,
    )
    this.#delete = db.prepare('DELETE FROM signing_keys WHERE kid = ?')
  }

  async list(): Promise<readonly StoredSigningKey[]> {
    let rows: Record<string, unknown>[]
    try {
      rows = this.#list.all()
    } catch (error) {
      throw storeFailure('list the signing keys', error)
    }
    return rows.map((row) => parseKey(row)).sort(compareKeys)
  }

  async put(key: StoredSigningKey): Promise<void> {
    try {
      this.#put.run(key.kid, key.state, JSON.stringify(key))
    } catch (error) {
      throw storeFailure(`store signing key ${JSON.stringify(key.kid)}`, error)
    }
  }

  async delete(kid: string): Promise<void> {
    try {
      this.#delete.run(kid)
    } catch (error) {
      throw storeFailure(`delete signing key ${JSON.stringify(kid)}`, error)
    }
  }
}

function parseKey(row: Record<string, unknown>): StoredSigningKey {
  try {
    const key = JSON.parse(String(row.json)) as unknown
    // A row edited by hand or half-written by a foreign tool must not reach the key manager.
    if (typeof key !== 'object' || key === null || (key as { kid?: unknown }).kid !== row.kid)
      throw new Error('the record does not carry its own kid')
    return key as StoredSigningKey
  } catch (error) {
    throw storeFailure(`read signing key ${JSON.stringify(row.kid)}`, error)
  }
}
