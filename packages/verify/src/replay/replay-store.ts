/**
 * Remembers one-time identifiers (a token's `jti`, a DPoP proof's `jti`) until they expire.
 * Implemented in memory here and by the server's stores (SQLite, Redis); each implementation
 * runs the same contract suite.
 */
export interface ReplayStore {
  /**
   * Records `key` as used until `expiresAt` (epoch seconds) and returns true, or returns false
   * when it was already recorded and has not expired. Must be atomic across concurrent callers.
   */
  use(key: string, expiresAt: number): boolean | Promise<boolean>
}
