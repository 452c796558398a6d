import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { loadIdpMetadata, parseIdpMetadata } from './index.ts'
import { parseDuration } from './metadata.ts'
import { idpEntityId, keys, sign } from './testing/test-idp.ts'

const b64cert = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '')
const now = Date.parse('2030-01-01T00:00:00Z') / 1000

function metadata(extra = '', validUntil = '2030-06-01T00:00:00Z'): string {
  const kd = (pem: string, use?: string) =>
    `<md:KeyDescriptor${use ? ` use="${use}"` : ''}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${b64cert(pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`
  return (
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="_md" entityID="${idpEntityId}" validUntil="${validUntil}" cacheDuration="PT6H">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${kd(keys.current.pem, 'signing')}${kd(keys.next.pem)}${kd(keys.attacker.pem, 'encryption')}` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor>${extra}</md:EntityDescriptor>`
  )
}

describe('parseIdpMetadata', () => {
  test('reads entity ID, signing certificates (not encryption ones), endpoints, validity', () => {
    const m = parseIdpMetadata(metadata(), { clock: () => now })
    assert.equal(m.entityId, idpEntityId)
    assert.deepEqual(
      m.signingCertificates.map((c) => c.fingerprint256),
      [keys.current.cert.fingerprint256, keys.next.cert.fingerprint256],
    )
    assert.deepEqual(m.ssoEndpoints, [
      {
        binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
        location: 'https://idp.example.com/sso',
      },
    ])
    assert.equal(m.cacheDurationSeconds, 6 * 3600)
    assert.equal(m.validUntil, Date.parse('2030-06-01T00:00:00Z') / 1000)
    assert.deepEqual(m.warnings, [])
  })

  test('an EntityDescriptor inside an EntitiesDescriptor, by entityID', () => {
    const xml = `<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">${metadata().replace(' xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"', '')}</md:EntitiesDescriptor>`
    assert.equal(
      parseIdpMetadata(xml, { entityId: idpEntityId, clock: () => now }).entityId,
      idpEntityId,
    )
    assert.throws(() => parseIdpMetadata(xml, { entityId: 'urn:other' }), { code: 'malformed' })
  })

  test('warns about metadata and certificates expiring within 30 days or expired', () => {
    const soon = parseIdpMetadata(metadata('', '2030-01-10T00:00:00Z'), { clock: () => now })
    assert.deepEqual(
      soon.warnings.map((w) => w.code),
      ['metadata_expired'],
    )
    const late = Date.parse(keys.current.cert.validTo) / 1000 - 86400
    const expiring = parseIdpMetadata(metadata('', '2099-01-01T00:00:00Z'), { clock: () => late })
    assert.ok(
      expiring.warnings.some(
        (w) => w.code === 'certificate_expired' && /within 30 days/.test(w.message),
      ),
    )
    const gone = parseIdpMetadata(metadata('', '2029-01-01T00:00:00Z'), {
      clock: () => late + 10 * 86400,
    })
    assert.ok(gone.warnings.some((w) => w.code === 'metadata_expired' && /expired/.test(w.message)))
    assert.ok(
      gone.warnings.some((w) => w.code === 'certificate_expired' && /has expired/.test(w.message)),
    )
  })

  test('signed metadata verifies with the configured certificate; tampered or unsigned fails', () => {
    const signed = sign(metadata(), '_md', { by: keys.attacker, at: 'first' })
    const m = parseIdpMetadata(signed, { signingCertificate: keys.attacker.cert, clock: () => now })
    assert.equal(m.entityId, idpEntityId)
    assert.throws(
      () =>
        parseIdpMetadata(
          signed.replace('https://idp.example.com/sso', 'https://evil.example/sso'),
          { signingCertificate: keys.attacker.cert },
        ),
      { code: 'bad_signature' },
    )
    assert.throws(() => parseIdpMetadata(metadata(), { signingCertificate: keys.attacker.cert }), {
      code: 'missing_signature',
    })
    assert.throws(() => parseIdpMetadata(signed, { signingCertificate: keys.current.cert }), {
      code: 'untrusted_key',
    })
  })

  test('bad metadata', () => {
    assert.throws(() => parseIdpMetadata('<x/>'), { code: 'malformed' })
    assert.throws(() => parseIdpMetadata('<!DOCTYPE x><x/>'), { code: 'malformed' })
    assert.throws(() => parseDuration('P1Y2M3DT4H5M6.5S') && parseDuration('1 day'), {
      code: 'malformed',
    })
    assert.equal(parseDuration('P1DT1S'), 86401)
  })
})

describe('loadIdpMetadata', () => {
  const dir = mkdtempSync(join(tmpdir(), 'saml-md-'))
  let hang = false
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') {
      hang = true
      return
    }
    if (req.url === '/big') return void res.end('x'.repeat(2048))
    if (req.url === '/missing') return void res.writeHead(404).end()
    res.end(metadata())
  })
  after(() => server.close())
  const base = async () => {
    if (!server.listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  test('from a file, with a size cap', async () => {
    const file = join(dir, 'md.xml')
    writeFileSync(file, metadata())
    assert.equal((await loadIdpMetadata(file, { clock: () => now })).entityId, idpEntityId)
    await assert.rejects(loadIdpMetadata(file, { maxBytes: 100 }), { code: 'too_large' })
    await assert.rejects(loadIdpMetadata(join(dir, 'nope.xml')), { code: 'upstream_unavailable' })
    // A device reports size 0 and never ends: refused before any read.
    await assert.rejects(loadIdpMetadata('/dev/zero'), {
      code: 'upstream_unavailable',
      message: 'IdP metadata "/dev/zero" is not a regular file',
    })
  })

  test('from a loopback URL, with timeout and size cap', async () => {
    const url = await base()
    assert.equal((await loadIdpMetadata(`${url}/md`, { clock: () => now })).entityId, idpEntityId)
    await assert.rejects(loadIdpMetadata(`${url}/big`, { maxBytes: 1024 }), { code: 'too_large' })
    await assert.rejects(loadIdpMetadata(`${url}/missing`), { code: 'upstream_unavailable' })
    await assert.rejects(
      loadIdpMetadata(`${url}/slow`, { timeoutMs: 50 }),
      (e: Error & { code: string }) =>
        e.code === 'upstream_unavailable' && /within 50 ms/.test(e.message),
    )
    assert.equal(hang, true)
    server.closeAllConnections()
    await assert.rejects(loadIdpMetadata('http://idp.example.com/md'), { code: 'invalid_options' })
  })
})
