import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { TesseraError } from '../explain/tessera-error.ts'
import { checkCertificateBinding, checkKeyBinding, readConfirmation } from './check-binding.ts'

const fixtures = new URL('../../test/fixtures/binding/', import.meta.url)
const cert = new X509Certificate(readFileSync(new URL('client.crt', fixtures)))
const x5t = readFileSync(new URL('client.x5t-s256', fixtures), 'utf8').trim()
const otherCert = new X509Certificate(readFileSync(new URL('other.crt', fixtures)))
// Node's own SHA-256 fingerprint of the DER, re-encoded: an independent path to the thumbprint.
const otherX5t = Buffer.from(otherCert.fingerprint256.replaceAll(':', ''), 'hex').toString(
  'base64url',
)

const fields = (e: TesseraError | undefined) =>
  e && { code: e.code, check: e.check, expected: e.expected, actual: e.actual }

function caught(run: () => unknown): TesseraError | undefined {
  try {
    run()
  } catch (error) {
    return error as TesseraError
  }
  return undefined
}

describe('readConfirmation', () => {
  it('reads cnf.jkt and cnf["x5t#S256"], and nothing from a missing or odd cnf', () => {
    assert.deepEqual(readConfirmation({ cnf: { jkt: 'a', 'x5t#S256': 'b' } }), {
      jkt: 'a',
      x5tS256: 'b',
    })
    assert.deepEqual(readConfirmation({}), {})
    assert.deepEqual(readConfirmation({ cnf: { jkt: 7 } }), { jkt: '7' })
    // Unknown members beside an understood one do not stop the understood one being checked.
    assert.deepEqual(readConfirmation({ cnf: { jkt: 'a', kid: 'k' } }), { jkt: 'a' })
  })
  it('binding_mismatch: a cnf that is not an object (fails closed, never read as unbound)', () => {
    for (const [cnf, actual] of [
      [['jkt'], 'array'],
      [null, 'null'],
      ['k1', 'string'],
      [7, 'number'],
    ] as const) {
      const error = caught(() => readConfirmation({ cnf }))
      assert.deepEqual(fields(error), {
        code: 'binding_mismatch',
        check: 'cnf',
        expected: 'cnf with jkt or x5t#S256',
        actual,
      })
    }
    assert.equal(
      caught(() => readConfirmation({ cnf: 'k1' }))?.message,
      "the token's cnf claim is a string, not a confirmation object (RFC 7800 §3.1)",
    )
  })
  it('binding_mismatch: a cnf holding only members Tessera does not check, naming them', () => {
    const error = caught(() =>
      readConfirmation({ cnf: { jwk: { kty: 'EC' }, kid: 'k', jku: 'https://x' } }),
    )
    assert.deepEqual(fields(error), {
      code: 'binding_mismatch',
      check: 'cnf',
      expected: 'cnf with jkt or x5t#S256',
      actual: 'cnf members ["jwk", "kid", "jku"]',
    })
    assert.match(
      error?.message ?? '',
      /^the token's cnf claim holds only \["jwk", "kid", "jku"\]: /,
    )
    assert.equal(fields(caught(() => readConfirmation({ cnf: {} })))?.actual, 'cnf {}')
    assert.match(
      caught(() => readConfirmation({ cnf: {} }))?.message ?? '',
      /cnf claim holds no members/,
    )
  })
})

describe('checkKeyBinding', () => {
  it('accepts a DPoP token whose cnf.jkt is the proof key thumbprint', () => {
    assert.equal(checkKeyBinding({ jkt: 'k1' }, 'dpop', 'k1'), undefined)
  })
  it('binding_mismatch: a DPoP proof by another key', () => {
    const error = checkKeyBinding({ jkt: 'k1' }, 'dpop', 'k2')
    assert.deepEqual(fields(error), {
      code: 'binding_mismatch',
      check: 'jkt',
      expected: 'k1',
      actual: 'k2',
    })
    assert.equal(
      error?.message,
      'the token is bound to key "k1" (cnf.jkt), but the DPoP proof is signed by key "k2"',
    )
  })
  it('binding_mismatch: the DPoP scheme with a token that is not bound (RFC 9449 §7.1)', () => {
    assert.deepEqual(fields(checkKeyBinding({}, 'dpop', 'k2')), {
      code: 'binding_mismatch',
      check: 'jkt',
      expected: 'cnf.jkt in the token',
      actual: 'missing',
    })
  })
  it('bound_token_as_bearer: a bound token under the Bearer scheme', () => {
    assert.deepEqual(fields(checkKeyBinding({ jkt: 'k1' }, 'bearer')), {
      code: 'bound_token_as_bearer',
      check: 'jkt',
      expected: 'DPoP scheme with a proof',
      actual: 'Bearer scheme',
    })
  })
  it('accepts an unbound token under the Bearer scheme', () => {
    assert.equal(checkKeyBinding({}, 'bearer'), undefined)
  })
})

describe('checkCertificateBinding', () => {
  it('accepts the certificate the token is bound to, as X509Certificate or DER', () => {
    assert.equal(checkCertificateBinding({ x5tS256: x5t }, cert), undefined)
    assert.equal(checkCertificateBinding({ x5tS256: x5t }, cert.raw), undefined)
  })
  it('ignores the certificate when the token is not certificate-bound', () => {
    assert.equal(checkCertificateBinding({}, undefined), undefined)
    assert.equal(checkCertificateBinding({ jkt: 'k' }, otherCert), undefined)
  })
  it('binding_mismatch: another certificate', () => {
    const error = checkCertificateBinding({ x5tS256: x5t }, otherCert)
    assert.deepEqual(fields(error), {
      code: 'binding_mismatch',
      check: 'x5t#S256',
      expected: x5t,
      actual: otherX5t,
    })
    assert.notEqual(otherX5t, x5t)
  })
  it('binding_mismatch: no client certificate at all', () => {
    assert.deepEqual(fields(checkCertificateBinding({ x5tS256: x5t }, undefined)), {
      code: 'binding_mismatch',
      check: 'x5t#S256',
      expected: x5t,
      actual: 'no client certificate',
    })
  })
})
