import type { KeyStore, StoredSigningKey } from '../../issuer/index.ts'
import { compareKeys } from '../key-order.ts'

/**
 * A `KeyStore` in a map, for tests and `store.kind: memory`. Records are copied in and out,
 * as a database would, so a caller's object never aliases the stored one.
 */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, StoredSigningKey>()

  async list(): Promise<readonly StoredSigningKey[]> {
    return [...this.#keys.values()].map((key) => structuredClone(key)).sort(compareKeys)
  }

  async put(key: StoredSigningKey): Promise<void> {
    this.#keys.set(key.kid, structuredClone(key))
  }

  async delete(kid: string): Promise<void> {
    this.#keys.delete(kid)
  }
}
