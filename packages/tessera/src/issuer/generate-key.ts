import { generateKeyPair, type KeyObject } from 'node:crypto'
import { jwkThumbprint } from '@tessera/verify'
import type { SigningAlgorithm } from './types.ts'

/** RSA modulus of generated RS256 keys, in bits (NIST SP 800-57: 128-bit security). */
export const rsaModulusBits = 3072

/** A freshly generated signing key pair. */
export interface GeneratedKey {
  /** RFC 7638 thumbprint of the public JWK: stable, and checkable by anyone holding the JWKS. */
  readonly kid: string
  readonly algorithm: SigningAlgorithm
  /** Public JWK with kid, alg and use: sig. */
  readonly publicJwk: Readonly<Record<string, unknown>>
  readonly privateKey: KeyObject
}

function generatePair(algorithm: SigningAlgorithm): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) reject(error)
      else resolve(privateKey)
    }
    if (algorithm === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done)
    else if (algorithm === 'EdDSA') generateKeyPair('ed25519', {}, done)
    else generateKeyPair('rsa', { modulusLength: rsaModulusBits, publicExponent: 0x10001 }, done)
  })
}

/** Returns the public JWK of a private key, with kid (its RFC 7638 thumbprint), alg and use. */
export function publicJwkOf(
  privateKey: KeyObject,
  algorithm: SigningAlgorithm,
): { kid: string; publicJwk: Readonly<Record<string, unknown>> } {
  const jwk = privateKey.export({ format: 'jwk' })
  // Only the public members: a JWK export of a private key carries d (and p, q, … for RSA).
  const members = jwk.kty === 'RSA' ? ['kty', 'n', 'e'] : ['kty', 'crv', 'x', 'y']
  const publicMembers: Record<string, unknown> = {}
  for (const m of members) {
    const value = (jwk as Record<string, unknown>)[m]
    if (value !== undefined) publicMembers[m] = value
  }
  const kid = jwkThumbprint(publicMembers)
  return { kid, publicJwk: Object.freeze({ ...publicMembers, kid, alg: algorithm, use: 'sig' }) }
}

/** Generates a key pair for the algorithm: P-256, Ed25519 or RSA 3072 (e = 65537). */
export async function generateSigningKey(algorithm: SigningAlgorithm): Promise<GeneratedKey> {
  const privateKey = await generatePair(algorithm)
  return { ...publicJwkOf(privateKey, algorithm), algorithm, privateKey }
}
