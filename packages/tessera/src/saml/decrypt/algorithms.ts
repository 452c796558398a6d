import { quote, quoteList, redact, TesseraError } from '@tessera/verify'

const xmlenc = 'http://www.w3.org/2001/04/xmlenc#'
const xmlenc11 = 'http://www.w3.org/2009/xmlenc11#'
const xmldsig = 'http://www.w3.org/2000/09/xmldsig#'

/** Key transport algorithms accepted for an EncryptedKey: RSA-OAEP only, never RSA 1.5. */
export const keyTransportAlgorithms: readonly string[] = Object.freeze([
  `${xmlenc}rsa-oaep-mgf1p`,
  `${xmlenc11}rsa-oaep`,
])

/** Content encryption accepted by default: AES-GCM, which authenticates the ciphertext. */
export const gcmAlgorithms: readonly string[] = Object.freeze([
  `${xmlenc11}aes128-gcm`,
  `${xmlenc11}aes256-gcm`,
])

/**
 * AES-CBC, accepted only where an IdP entry sets `allowCbc`: CBC has no integrity, and
 * XML Encryption over CBC is open to padding-oracle attacks (XML Encryption 1.1 §6.1.1).
 */
export const cbcAlgorithms: readonly string[] = Object.freeze([
  `${xmlenc}aes128-cbc`,
  `${xmlenc}aes256-cbc`,
])

// OAEP message digests xml-encryption 6.0.1 understands; it silently falls back to SHA-1 for
// any other URI, which would turn a configuration mismatch into an opaque decryption failure.
const oaepDigests: readonly string[] = [
  `${xmldsig}sha1`,
  `${xmlenc}sha256`,
  `${xmlenc}sha512`,
  // Written by older xml-encryption versions; the library still reads them.
  `${xmldsig}sha256`,
  `${xmldsig}sha512`,
]

// MGF1 digests of xmlenc11#rsa-oaep (XML Encryption 1.1 §5.5.2), as the library maps them.
const mgfAlgorithms: readonly string[] = [
  `${xmlenc11}mgf1sha1`,
  `${xmlenc11}mgf1sha224`,
  `${xmlenc11}mgf1sha256`,
  `${xmlenc11}mgf1sha384`,
  `${xmlenc11}mgf1sha512`,
  `${xmlenc}MGF1withSHA1`,
]

/** The content encryption algorithms allowed under the given options. */
export function contentAlgorithms(allowCbc: boolean): readonly string[] {
  return allowCbc ? [...gcmAlgorithms, ...cbcAlgorithms] : gcmAlgorithms
}

/** Throws `alg_not_allowed` unless the EncryptedData's algorithm is allowed. */
export function checkContentAlgorithm(algorithm: string, allowCbc: boolean): void {
  const allowed = contentAlgorithms(allowCbc)
  if (allowed.includes(algorithm)) return
  const cbcHint = cbcAlgorithms.includes(algorithm)
    ? '; AES-CBC is accepted only where the IdP entry sets allowCbc: true (CBC has no integrity: prefer asking the IdP for AES-GCM)'
    : ''
  throw refused('content encryption algorithm', algorithm, allowed, cbcHint)
}

/** Throws `alg_not_allowed` unless the EncryptedKey's transport, digest and MGF are allowed. */
export function checkKeyTransport(
  algorithm: string,
  digest: string | undefined,
  mgf: string | undefined,
): void {
  if (!keyTransportAlgorithms.includes(algorithm)) {
    const rsa15 =
      algorithm === `${xmlenc}rsa-1_5`
        ? '; RSA 1.5 key transport is never accepted (Bleichenbacher padding oracle): configure the IdP for RSA-OAEP'
        : ''
    throw refused('key transport algorithm', algorithm, keyTransportAlgorithms, rsa15)
  }
  if (digest !== undefined && !oaepDigests.includes(digest))
    throw refused('RSA-OAEP digest', digest, oaepDigests, '')
  if (mgf !== undefined && !mgfAlgorithms.includes(mgf))
    throw refused('RSA-OAEP mask generation function', mgf, mgfAlgorithms, '')
}

function refused(
  what: string,
  actual: string,
  allowed: readonly string[],
  extra: string,
): TesseraError {
  return new TesseraError({
    code: 'alg_not_allowed',
    check: 'decryption',
    message: `the EncryptedAssertion's ${what} ${quote(actual)} is not allowed; allowed: ${quoteList(allowed)}${extra}`,
    expected: [...allowed],
    actual: redact(actual),
  })
}
