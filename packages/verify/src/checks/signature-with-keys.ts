import { quote } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { VerificationKey } from '../keys/verification-key.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import type { DecodedJws } from '../token/types.ts'
import { verifySignature } from './signature.ts'

/**
 * Verifies the token's signature with the selected keys (one, unless the token has no kid).
 * The message names the key, never the signature bytes.
 */
export function checkSignatures(
  alg: JwsAlgorithm,
  keys: readonly VerificationKey[],
  jws: DecodedJws,
): TesseraError | undefined {
  for (const key of keys) {
    if (verifySignature(alg, key, jws.signingInput, jws.signature)) return undefined
  }
  const named =
    keys.length === 1
      ? `key ${quote(keys[0]?.kid ?? keys[0]?.thumbprint)}`
      : `any of ${keys.length} candidate keys`
  return new TesseraError({
    code: 'bad_signature',
    message: `${alg} signature does not verify with ${named}: the token was altered or signed by a different key`,
    expected: `a valid ${alg} signature`,
    actual: `${jws.signature.length}-byte signature that does not verify`,
  })
}
