import type { KeyObject } from 'node:crypto'
import { isTesseraError } from '@tessera/verify'
import { readBinary } from './commands/doctor-key/doctor-key.ts'
import { describeKey, inspectKey } from './commands/doctor-key/inspect-key.ts'
import { usageError } from './usage-error.ts'

/**
 * Reads the SP's private key for `--decryption-key FILE`: PEM or DER (PKCS#8, PKCS#1), imported
 * with node:crypto by the same reader as `tessera doctor key`. Messages name the file and what
 * it holds, never any of the key's material.
 * @throws {TesseraError} `invalid_options` for an unreadable file, no private key, a
 * passphrase-encrypted key, or a key that is not RSA (XML Encryption key transport is RSA-OAEP)
 */
export function loadDecryptionKey(path: string, flag = 'decryption-key'): KeyObject {
  const report = (() => {
    try {
      return inspectKey(readBinary(path, 'decryption key'), path)
    } catch (error) {
      if (isTesseraError(error)) throw usageError(`--${flag}: ${error.message}`, flag)
      throw error
    }
  })()
  if (report.key === undefined) {
    throw usageError(
      `--${flag}: ${JSON.stringify(path)} is a passphrase-encrypted key (${describeKey(report)}); run \`tessera doctor key ${path}\` for how to write a decrypted copy`,
      flag,
    )
  }
  if (report.key.asymmetricKeyType !== 'rsa') {
    throw usageError(
      `--${flag}: ${JSON.stringify(path)} holds a private key of type ${report.type} (${describeKey(report)}); SAML assertions are encrypted to an RSA key (RSA-OAEP key transport)`,
      flag,
    )
  }
  return report.key
}
