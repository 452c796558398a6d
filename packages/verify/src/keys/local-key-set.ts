import { selectKeys } from './key-selection.ts'
import { importKeySet, type KeySet } from './key-set.ts'
import type { KeySource, KeySourceState } from './key-source.ts'

/**
 * A key source over an inline JWKS, imported once at construction.
 * @throws {TesseraError} `jwks_unavailable` when `jwks` is not a key set
 */
export function createLocalKeySet(jwks: unknown, source: string): KeySource {
  const set: KeySet = importKeySet(jwks, source)
  const state: KeySourceState = Object.freeze({
    kind: 'inline',
    kids: Object.freeze(set.keys.flatMap((k) => (k.kid === undefined ? [] : [k.kid]))),
    rejected: set.rejected,
    fetches: 0,
  })
  return {
    select: (kid, alg) => selectKeys(set, kid, alg, source),
    state: () => state,
  }
}
