import { constants, verify } from 'node:crypto'
import type { VerificationKey } from '../keys/verification-key.ts'
import { algorithms, type JwsAlgorithm } from '../token/algorithms.ts'
import { joseToDer } from './ecdsa-der.ts'

const pssSaltLength: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 }

/**
 * Verifies a JWS signature with one pre-imported key, on the fastest node:crypto path:
 * a bare KeyObject (no options object) for RSA PKCS#1 v1.5, ECDSA (after r‖s → DER) and EdDSA.
 * The caller has checked that the key may be used with `alg`.
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: VerificationKey,
  signingInput: string,
  signature: Uint8Array,
): boolean {
  const spec = algorithms[alg]
  const data = Buffer.from(signingInput, 'latin1')
  try {
    if (spec.ecdsaPartBytes !== undefined) {
      const der = joseToDer(signature, spec.ecdsaPartBytes)
      return der !== undefined && verify(spec.hash, data, key.key, der)
    }
    if (spec.pss === true && spec.hash !== null) {
      // RFC 7518 §3.5: the salt is as long as the hash; never let the signature choose it.
      return verify(
        spec.hash,
        data,
        {
          key: key.key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: pssSaltLength[spec.hash] as number,
        },
        signature,
      )
    }
    return verify(spec.hash, data, key.key, signature)
  } catch {
    // OpenSSL throws on some malformed inputs (e.g. a signature longer than the modulus).
    return false
  }
}
