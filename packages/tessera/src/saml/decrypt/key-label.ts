import { createHash, createPublicKey, type KeyObject } from 'node:crypto'

/**
 * SHA-256 of a key's public half in SPKI DER, as hex: the same value as
 * `openssl pkey -in key.pem -pubout -outform DER | openssl dgst -sha256`, so an operator can
 * tell which key was used without the key itself ever appearing in a message.
 */
export function publicKeyFingerprint(key: KeyObject): string {
  const publicKey = key.type === 'public' ? key : createPublicKey(key)
  const spki = publicKey.export({ type: 'spki', format: 'der' })
  return createHash('sha256').update(spki).digest('hex')
}

/** How a message names the SP key: type, size and public-key fingerprint. */
export function keyLabel(key: KeyObject): string {
  const bits = key.asymmetricKeyDetails?.modulusLength
  const type = (key.asymmetricKeyType ?? 'unknown').toUpperCase()
  return `the SP key (${type}${bits === undefined ? '' : ` ${bits} bits`}, public key sha256:${publicKeyFingerprint(key)})`
}
