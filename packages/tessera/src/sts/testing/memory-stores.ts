import type {
  JoinTokenStore,
  KeyStore,
  StoredJoinToken,
  StoredSigningKey,
} from '../../issuer/index.ts'

/** A tiny in-memory `KeyStore` fake for the sts tests (the store part owns the real ones). */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, StoredSigningKey>()

  async list(): Promise<readonly StoredSigningKey[]> {
    return [...this.#keys.values()]
  }

  async put(key: StoredSigningKey): Promise<void> {
    this.#keys.set(key.kid, key)
  }

  async delete(kid: string): Promise<void> {
    this.#keys.delete(kid)
  }
}

/** A tiny in-memory `JoinTokenStore` fake: `consume` removes the record, so it is single-use. */
export class MemoryJoinTokenStore implements JoinTokenStore {
  readonly #tokens = new Map<string, StoredJoinToken>()

  async create(token: StoredJoinToken): Promise<void> {
    this.#tokens.set(token.tokenHash, token)
  }

  async consume(tokenHash: string, now: number): Promise<StoredJoinToken | undefined> {
    const record = this.#tokens.get(tokenHash)
    this.#tokens.delete(tokenHash)
    return record !== undefined && record.expiresAt > now ? record : undefined
  }
}
