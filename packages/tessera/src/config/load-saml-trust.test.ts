import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { TesseraError } from '@tessera/verify'
import { startLoopbackServer } from '../../../verify/test/support/http-server.ts'
import { testIdp } from '../server/http/testing/saml-response.ts'
import { parseConfig } from './load.ts'
import { loadSamlTrust } from './load-saml-trust.ts'

const clock = () => 1_800_000_000
const spKeyPath = new URL('../saml/decrypt/testing/sp.key', import.meta.url).pathname

function config(idps: string, decryptionKey?: string) {
  return parseConfig(
    `server:
  publicUrl: https://tessera.test
trustDomain: example.org
issuer:
  keyEncryptionKey: env:K
samlIdps:
${idps}
saml:
  spEntityId: https://tessera.test
  acsUrl: https://tessera.test/saml/acs
${decryptionKey === undefined ? '' : `  decryptionKey: ${decryptionKey}\n`}`,
    'saml.yaml',
  )
}

describe('loadSamlTrust', () => {
  it('is undefined without a saml section', async () => {
    assert.equal(await loadSamlTrust({ samlIdps: [] }, { env: {}, clock }), undefined)
  })

  it('uses file metadata and fetches URL metadata over loopback', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.setHeader('content-type', 'application/samlmetadata+xml')
      res.end(testIdp.metadata)
    })
    const compiled = config(
      `  - metadata:
      file: ${JSON.stringify(testIdp.metadataPath)}
    allowSha1: true
  - entityId: ${testIdp.entityId}x
    metadata:
      url: ${server.url('/md')}`,
    )
    // The second entry's URL serves the first IdP's metadata: a different entity ID.
    await assert.rejects(
      loadSamlTrust(compiled, { env: {}, clock }),
      (e: TesseraError) =>
        e.code === 'invalid_config' &&
        /is for entity ID "https:\/\/idp.example.com\/saml", not the configured/.test(e.message),
    )
    const good = config(
      `  - entityId: ${testIdp.entityId}
    metadata:
      url: ${server.url('/md')}`,
    )
    const trust = await loadSamlTrust(good, { env: {}, clock })
    assert.equal(trust?.idps[0]?.signingCertificates.length, 1)
    assert.equal(server.requestsTo('/md'), 2)
    const file = await loadSamlTrust(
      config(
        `  - metadata:\n      file: ${JSON.stringify(testIdp.metadataPath)}\n    allowSha1: true`,
      ),
      { env: {}, clock },
    )
    assert.equal(file?.idps[0]?.allowSha1, true)
  })

  it('explains a metadata URL that does not answer', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.statusCode = 500
      res.end()
    })
    await assert.rejects(
      loadSamlTrust(config(`  - entityId: x\n    metadata:\n      url: ${server.url('/md')}`), {
        env: {},
        clock,
      }),
      (e: TesseraError) =>
        e.code === 'invalid_config' && e.problems?.[0]?.path === '/samlIdps/0/metadata/url',
    )
  })

  it('reads the decryption key from env: and file:, never echoing it', async () => {
    const idp = `  - metadata:\n      file: ${JSON.stringify(testIdp.metadataPath)}`
    const pem = readFileSync(spKeyPath, 'utf8')
    const fromEnv = await loadSamlTrust(config(idp, 'env:SP_KEY'), { env: { SP_KEY: pem }, clock })
    assert.equal(fromEnv?.decryptionKey?.asymmetricKeyType, 'rsa')
    const fromFile = await loadSamlTrust(config(idp, `file:${spKeyPath}`), { env: {}, clock })
    assert.equal(fromFile?.decryptionKey?.type, 'private')
    await assert.rejects(
      loadSamlTrust(config(idp, 'env:SP_KEY'), { env: {}, clock }),
      (e: TesseraError) =>
        e.code === 'invalid_config' &&
        /SP_KEY named by saml.decryptionKey is not set/.test(e.message),
    )
    await assert.rejects(
      loadSamlTrust(config(idp, 'env:SP_KEY'), { env: { SP_KEY: 'not-a-key-0123456789' }, clock }),
      (e: TesseraError) =>
        /is not an unencrypted PEM or DER private key/.test(e.message) &&
        !e.message.includes('not-a-key'),
    )
    await assert.rejects(
      loadSamlTrust(config(idp, 'file:/nonexistent/sp.key'), { env: {}, clock }),
      (e: TesseraError) => /cannot read "\/nonexistent\/sp.key": no such file/.test(e.message),
    )
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    })
    await assert.rejects(
      loadSamlTrust(config(idp, 'env:SP_KEY'), { env: { SP_KEY: String(ec) }, clock }),
      (e: TesseraError) =>
        /is a ec key: RSA-OAEP key transport needs an RSA private key/.test(e.message),
    )
  })
})
