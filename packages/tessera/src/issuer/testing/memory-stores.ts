// Fakes of the store part's interfaces for the issuer's own tests: real, tiny implementations
// (CONVENTIONS §4.7: fakes, not mocks). The store part owns the implementations Tessera runs.
import type { JoinTokenStore, KeyStore, StoredJoinToken, StoredSigningKey } from '../types.ts'

/** An in-memory `KeyStore` whose records can be read and altered by tests. */
export class MemoryKeyStore implements KeyStore {
  readonly records = new Map<string, StoredSigningKey>()
  /** Writes (put and delete) so far, to show that a call changed nothing. */
  writes = 0

  async list(): Promise<readonly StoredSigningKey[]> {
    return [...this.records.values()]
  }

  async put(key: StoredSigningKey): Promise<void> {
    this.writes += 1
    this.records.set(key.kid, key)
  }

  async delete(kid: string): Promise<void> {
    this.writes += 1
    this.records.delete(kid)
  }
}

/** An in-memory `JoinTokenStore`; `consume` removes before it returns, so it is single-use. */
export class MemoryJoinTokenStore implements JoinTokenStore {
  readonly records = new Map<string, StoredJoinToken>()

  async create(token: StoredJoinToken): Promise<void> {
    if (this.records.has(token.tokenHash)) throw new Error('duplicate join token hash')
    this.records.set(token.tokenHash, token)
  }

  async consume(tokenHash: string, now: number): Promise<StoredJoinToken | undefined> {
    const record = this.records.get(tokenHash)
    if (record === undefined) return undefined
    this.records.delete(tokenHash)
    return record.expiresAt > now ? record : undefined
  }
}
