import { createHash, X509Certificate } from 'node:crypto'
import { TesseraError } from '../explain/tessera-error.ts'

/**
 * The RFC 8705 §3.1 `x5t#S256` of a certificate: base64url(SHA-256(DER)). A Buffer is parsed
 * as a certificate first (DER or PEM), so bytes that are not one are refused rather than hashed.
 * @throws {TesseraError} `binding_mismatch` (check `x5t#S256`) when the input is not a certificate
 */
export function certificateThumbprint(cert: Buffer | X509Certificate): string {
  let der: Buffer
  if (cert instanceof X509Certificate) der = cert.raw
  else {
    try {
      der = new X509Certificate(cert).raw
    } catch (cause) {
      throw new TesseraError({
        code: 'binding_mismatch',
        check: 'x5t#S256',
        message: 'the client certificate is not a valid X.509 certificate (DER or PEM)',
        expected: 'an X.509 certificate',
        actual: Buffer.isBuffer(cert) ? `${cert.length} bytes that do not parse` : typeof cert,
        cause,
      })
    }
  }
  return createHash('sha256').update(der).digest('base64url')
}
