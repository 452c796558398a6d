import type { KeyObject } from 'node:crypto'
import { algorithms, type JwsAlgorithm } from '../token/algorithms.ts'

/** A public key imported once from a JWK, ready for `crypto.verify`. */
export interface VerificationKey {
  readonly kid?: string
  readonly kty: 'RSA' | 'EC' | 'OKP'
  /** EC or OKP curve as the JWK names it. */
  readonly crv?: string
  /** The JWK's own `alg`, when it declares one (RFC 7517 §4.4): then only that alg is allowed. */
  readonly alg?: string
  /** RSA modulus length in bits. */
  readonly bits?: number
  /** RFC 7638 JWK SHA-256 thumbprint, base64url. */
  readonly thumbprint: string
  readonly key: KeyObject
}

/** A key from a key set that Tessera refused to use, and why. */
export interface RejectedKey {
  readonly kid?: string
  readonly kty?: string
  readonly reason: string
}

/**
 * Says why `key` cannot verify a signature made with `alg`, or returns undefined when it can.
 * RFC 8725 §3.1: the key decides the family; the header only picks within what the key allows.
 */
export function explainKeyMismatch(key: VerificationKey, alg: JwsAlgorithm): string | undefined {
  const spec = algorithms[alg]
  if (spec.kty !== key.kty) return `${alg} needs an ${spec.kty} key, the key is ${key.kty}`
  if (spec.curves !== undefined && !spec.curves.includes(key.crv ?? '')) {
    return `${alg} needs curve ${spec.curves.join(' or ')}, the key is on ${key.crv ?? 'no curve'}`
  }
  if (key.alg !== undefined && key.alg !== alg && !sameEdDsa(key.alg, alg, key.crv)) {
    return `the key is published for ${key.alg} only`
  }
  return undefined
}

// RFC 9864: "Ed25519" is the fully specified name of EdDSA on Ed25519; treat the two as one.
function sameEdDsa(keyAlg: string, alg: JwsAlgorithm, crv: string | undefined): boolean {
  return (
    crv === 'Ed25519' &&
    (keyAlg === 'EdDSA' || keyAlg === 'Ed25519') &&
    (alg === 'EdDSA' || alg === 'Ed25519')
  )
}
