import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'
import { quote } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { isJwsAlgorithm, type JwsAlgorithm, jwsAlgorithms } from '../token/algorithms.ts'
import type { DpopKeyPair } from './types.ts'

function generate(alg: JwsAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  if (alg.startsWith('RS') || alg.startsWith('PS'))
    return generateKeyPairSync('rsa', { modulusLength: 2048 })
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' })
  if (alg === 'ES384') return generateKeyPairSync('ec', { namedCurve: 'P-384' })
  if (alg === 'ES512') return generateKeyPairSync('ec', { namedCurve: 'P-521' })
  return generateKeyPairSync('ed25519')
}

/**
 * Generates a fresh DPoP key pair for `alg` (default ES256; RSA keys are 2048 bits, EdDSA uses
 * Ed25519). Keep one per client instance: its thumbprint is what tokens get bound to.
 * @throws {TesseraError} `invalid_options` for an algorithm Tessera does not sign with
 */
export function generateDpopKeyPair(alg: JwsAlgorithm = 'ES256'): DpopKeyPair {
  if (!isJwsAlgorithm(alg)) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `DPoP key algorithm ${quote(alg)} is not one of ${jwsAlgorithms.join(', ')}`,
      problems: [{ path: 'alg', message: `must be one of ${jwsAlgorithms.join(', ')}` }],
    })
  }
  const { privateKey, publicKey } = generate(alg)
  const publicJwk = publicKey.export({ format: 'jwk' }) as JsonWebKey
  return Object.freeze({ privateKey, publicJwk: Object.freeze(publicJwk), alg })
}
