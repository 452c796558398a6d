import { constants, type KeyObject, sign, verify } from 'node:crypto'
import { algorithms, type JwsAlgorithm } from '../token/algorithms.ts'

// RFC 7518 §3.5: the PSS salt is as long as the hash; never let the signature choose it.
const pssSaltLength: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 }

/** The key argument node:crypto needs for `alg`: JOSE r‖s for ECDSA, fixed-salt PSS. */
function keyFor(alg: JwsAlgorithm, key: KeyObject) {
  const spec = algorithms[alg]
  if (spec.ecdsaPartBytes !== undefined) return { key, dsaEncoding: 'ieee-p1363' as const }
  if (spec.pss === true && spec.hash !== null) {
    return {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: pssSaltLength[spec.hash] as number,
    }
  }
  return key
}

/** Signs a JWS signing input with `alg` and returns the JOSE signature bytes. */
export function signProofInput(alg: JwsAlgorithm, key: KeyObject, signingInput: string): Buffer {
  return sign(algorithms[alg].hash, Buffer.from(signingInput, 'latin1'), keyFor(alg, key))
}

/**
 * Verifies a JOSE signature of a DPoP proof with the proof's own key. ECDSA signatures must be
 * r‖s of exactly twice the part size (RFC 7518 §3.4); DER is never accepted. The caller has
 * checked that the key may be used with `alg`.
 */
export function verifyProofSignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: Uint8Array,
): boolean {
  const spec = algorithms[alg]
  if (spec.ecdsaPartBytes !== undefined && signature.length !== spec.ecdsaPartBytes * 2)
    return false
  try {
    return verify(spec.hash, Buffer.from(signingInput, 'latin1'), keyFor(alg, key), signature)
  } catch {
    // OpenSSL throws on some malformed inputs (e.g. a signature longer than the modulus).
    return false
  }
}
