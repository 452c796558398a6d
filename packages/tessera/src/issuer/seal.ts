import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto'
import { quote, TesseraError } from '@tessera/verify'

const ivBytes = 12
const tagBytes = 16
const kekBytes = 32

function checkKek(kek: Buffer, kid: string): void {
  if (!Buffer.isBuffer(kek) || kek.length !== kekBytes) {
    throw new TesseraError({
      code: 'internal_error',
      message: `cannot seal or open the private key of kid ${quote(kid)}: the key-encryption key must be ${kekBytes} bytes`,
    })
  }
}

/**
 * Encrypts a PKCS#8 DER private key under the key-encryption key with AES-256-GCM (random
 * 96-bit IV). The kid is the associated data, so a sealed key moved to another record no
 * longer opens. Returns base64url of iv ‖ ciphertext ‖ tag, as `StoredSigningKey` stores it.
 * @throws {TesseraError} `internal_error` when the KEK is not 32 bytes
 */
export function sealPrivateKey(pkcs8Der: Buffer, kek: Buffer, kid: string): string {
  checkKek(kek, kid)
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', kek, iv, { authTagLength: tagBytes })
  cipher.setAAD(Buffer.from(kid, 'utf8'))
  const ciphertext = Buffer.concat([cipher.update(pkcs8Der), cipher.final()])
  return Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString('base64url')
}

/**
 * Decrypts a sealed private key and imports it once as a `KeyObject`. The messages name the
 * kid, never key material.
 * @throws {TesseraError} `internal_error` when the KEK is wrong, the record was altered or
 * belongs to another kid, or the plaintext is not a PKCS#8 key
 */
export function openPrivateKey(sealed: string, kek: Buffer, kid: string): KeyObject {
  checkKek(kek, kid)
  const bytes =
    typeof sealed === 'string' && /^[A-Za-z0-9_-]*$/.test(sealed)
      ? Buffer.from(sealed, 'base64url')
      : Buffer.alloc(0)
  if (bytes.length <= ivBytes + tagBytes) {
    throw new TesseraError({
      code: 'internal_error',
      message: `the sealed private key of kid ${quote(kid)} is malformed: not base64url of iv, ciphertext and tag`,
    })
  }
  const iv = bytes.subarray(0, ivBytes)
  const tag = bytes.subarray(bytes.length - tagBytes)
  const decipher = createDecipheriv('aes-256-gcm', kek, iv, { authTagLength: tagBytes })
  decipher.setAAD(Buffer.from(kid, 'utf8'))
  decipher.setAuthTag(tag)
  let der: Buffer
  try {
    der = Buffer.concat([
      decipher.update(bytes.subarray(ivBytes, bytes.length - tagBytes)),
      decipher.final(),
    ])
  } catch (error) {
    throw new TesseraError({
      code: 'internal_error',
      message: `cannot open the private key of kid ${quote(kid)}: the key-encryption key is not the one it was sealed with, or the stored record was altered or belongs to another kid`,
      cause: error,
    })
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } catch (error) {
    throw new TesseraError({
      code: 'internal_error',
      message: `the sealed private key of kid ${quote(kid)} is not a PKCS#8 private key`,
      cause: error,
    })
  } finally {
    // The KeyObject holds its own copy; do not leave plaintext key bytes for the GC to find.
    der.fill(0)
  }
}
