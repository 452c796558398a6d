import type { Clock } from '@tessera/verify'
import type { JoinTokenStore, StoredJoinToken } from '../../issuer/index.ts'
import { duplicateJoinToken } from '../duplicate-join-token.ts'

/**
 * A `JoinTokenStore` in a map. `consume` is atomic because it reads and deletes in one
 * synchronous step. Expired tokens are swept on every write, so unredeemed tokens do not pile
 * up in a long-running process.
 */
export class MemoryJoinTokenStore implements JoinTokenStore {
  readonly #tokens = new Map<string, StoredJoinToken>()
  readonly #clock: Clock

  constructor(clock: Clock) {
    this.#clock = clock
  }

  /** Number of tokens held (expired ones linger until the next write). */
  get size(): number {
    return this.#tokens.size
  }

  /** @throws {TesseraError} `internal_error` when a token with the same hash exists. */
  async create(token: StoredJoinToken): Promise<void> {
    this.#sweep(this.#clock())
    // A repeated hash means a repeated secret; refusing keeps one secret from attesting twice.
    if (this.#tokens.has(token.tokenHash)) throw duplicateJoinToken()
    this.#tokens.set(token.tokenHash, structuredClone(token))
  }

  async consume(tokenHash: string, now: number): Promise<StoredJoinToken | undefined> {
    const token = this.#tokens.get(tokenHash)
    if (token === undefined) return undefined
    this.#tokens.delete(tokenHash)
    // exp semantics: a token is dead at its expiry second, never usable again.
    return token.expiresAt > now ? token : undefined
  }

  #sweep(now: number): void {
    for (const [hash, token] of this.#tokens) if (token.expiresAt <= now) this.#tokens.delete(hash)
  }
}
