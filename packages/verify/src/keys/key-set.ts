import { TesseraError } from '../explain/tessera-error.ts'
import { importJwk, isVerificationKey } from './import-jwk.ts'
import type { RejectedKey, VerificationKey } from './verification-key.ts'

/** Most keys read from one JWKS; real sets hold a handful. */
export const maxKeysPerSet = 100

/** A JWKS imported once: the usable keys, and the refused ones with their reasons. */
export interface KeySet {
  readonly keys: readonly VerificationKey[]
  readonly rejected: readonly RejectedKey[]
}

/**
 * Imports a JWK Set (RFC 7517 §5). Unusable keys are kept aside with a reason instead of
 * failing the whole set, so one exotic key an IdP publishes cannot lock every token out.
 * @throws {TesseraError} `jwks_unavailable` when the value is not a key set at all
 */
export function importKeySet(jwks: unknown, source: string): KeySet {
  if (
    typeof jwks !== 'object' ||
    jwks === null ||
    !Array.isArray((jwks as { keys?: unknown }).keys)
  ) {
    throw new TesseraError({
      code: 'jwks_unavailable',
      message: `key set from ${source} is not a JWK Set: expected an object with a "keys" array`,
      expected: '{"keys": [...]}',
      actual: Array.isArray(jwks) ? 'array' : jwks === null ? 'null' : typeof jwks,
    })
  }
  const list = (jwks as { keys: unknown[] }).keys
  if (list.length > maxKeysPerSet) {
    throw new TesseraError({
      code: 'jwks_unavailable',
      message: `key set from ${source} holds ${list.length} keys, more than the limit of ${maxKeysPerSet}`,
      expected: `<= ${maxKeysPerSet} keys`,
      actual: `${list.length} keys`,
    })
  }
  const keys: VerificationKey[] = []
  const rejected: RejectedKey[] = []
  for (const jwk of list) {
    const imported = importJwk(jwk)
    if (isVerificationKey(imported)) keys.push(imported)
    else rejected.push(imported)
  }
  return Object.freeze({ keys: Object.freeze(keys), rejected: Object.freeze(rejected) })
}
