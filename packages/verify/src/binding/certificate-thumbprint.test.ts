import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { TesseraError } from '../explain/tessera-error.ts'
import { certificateThumbprint } from './certificate-thumbprint.ts'

const fixtures = new URL('../../test/fixtures/binding/', import.meta.url)
const pem = readFileSync(new URL('client.crt', fixtures))
const der = readFileSync(new URL('client.der', fixtures))
// Computed by `openssl dgst -sha256` when the fixture was made (see its README).
const opensslThumbprint = readFileSync(new URL('client.x5t-s256', fixtures), 'utf8').trim()

describe('certificateThumbprint', () => {
  it('is base64url(SHA-256(DER)), as OpenSSL computes it (RFC 8705 §3.1)', () => {
    assert.equal(certificateThumbprint(der), opensslThumbprint)
  })

  it('gives the same value for an X509Certificate, its raw bytes and its PEM', () => {
    const cert = new X509Certificate(pem)
    assert.equal(certificateThumbprint(cert), opensslThumbprint)
    assert.equal(certificateThumbprint(cert.raw), opensslThumbprint)
    assert.equal(certificateThumbprint(pem), opensslThumbprint)
  })

  it('refuses bytes that are not a certificate instead of hashing them', () => {
    assert.throws(
      () => certificateThumbprint(Buffer.from('not a certificate')),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        const { code, check, expected, actual } = error
        assert.deepEqual(
          { code, check, expected, actual },
          {
            code: 'binding_mismatch',
            check: 'x5t#S256',
            expected: 'an X.509 certificate',
            actual: '17 bytes that do not parse',
          },
        )
        return true
      },
    )
  })
})
