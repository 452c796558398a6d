import type { StoredSigningKey } from '../issuer/index.ts'

/**
 * The order every store lists signing keys in: oldest first, then by kid. A fixed order keeps
 * `tessera keys list` and the JWKS stable across stores and restarts.
 */
export function compareKeys(a: StoredSigningKey, b: StoredSigningKey): number {
  return a.createdAt - b.createdAt || (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0)
}
