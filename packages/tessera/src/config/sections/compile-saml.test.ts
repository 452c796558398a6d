import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Problem } from '@tessera/verify'
import { testIdp } from '../../server/http/testing/saml-response.ts'
import { parseConfig } from '../load.ts'
import { compileSaml } from './compile-saml.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-compile-saml-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const clock = () => 1_800_000_000
const baseDir = dirname(testIdp.metadataPath)
const saml = { spEntityId: 'https://tessera.test', acsUrl: 'https://tessera.test/saml/acs' }

function compile(
  entries: Parameters<typeof compileSaml>[0],
  section: Parameters<typeof compileSaml>[1] = saml,
  env?: NodeJS.ProcessEnv,
) {
  const problems: Problem[] = []
  const result = compileSaml(
    entries,
    section,
    { baseDir, clock, ...(env === undefined ? {} : { env }) },
    problems,
  )
  return { result, problems }
}

describe('compileSaml', () => {
  it('reads a metadata file at load and takes its entity ID', () => {
    const { result, problems } = compile([{ name: 'idp', metadata: { file: 'idp-metadata.xml' } }])
    assert.deepEqual(problems, [])
    const [idp] = result.idps
    assert.equal(idp?.entityId, testIdp.entityId)
    assert.equal(idp?.metadata?.signingCertificates.length, 1)
    assert.equal(idp?.allowSha1, false)
    assert.deepEqual(result.saml, { ...saml, clockSkewSeconds: 60 })
  })

  it('keeps a URL for the server start, which needs the entity ID written', () => {
    const { result, problems } = compile([
      {
        entityId: 'https://idp.example.net',
        metadata: { url: 'https://idp.example.net/metadata' },
      },
      { metadata: { url: 'http://idp.example.net/metadata' } },
    ])
    assert.deepEqual(result.idps[0]?.source, { url: 'https://idp.example.net/metadata' })
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/samlIdps/1/metadata/url', '/samlIdps/1'],
    )
  })

  it('reports every problem of the entries and of the section', () => {
    const missing = join(dir, 'nope.xml')
    const broken = join(dir, 'broken.xml')
    writeFileSync(broken, '<!DOCTYPE x [<!ENTITY e "x">]><x>&e;</x>')
    const { problems } = compile(
      [
        { metadata: {} },
        { metadata: { file: 'a', url: 'https://b' } },
        { metadata: { file: missing } },
        { metadata: { file: broken } },
        { entityId: 'https://other.example', metadata: { file: 'idp-metadata.xml' } },
        {
          entityId: ' x',
          metadata: { url: 'https://x' },
          metadataSigningCertificateFile: 'idp-key.pem',
        },
        { name: 'a', metadata: { file: 'idp-metadata.xml' } },
        { name: 'a', entityId: testIdp.entityId, metadata: { url: 'https://idp.example.com/md' } },
      ],
      { spEntityId: ' sp', acsUrl: 'not a url', decryptionKey: 'env:SAML_KEY' },
      {},
    )
    const messages = problems.map((p) => `${p.path} ${p.message}`)
    assert.match(messages[0] ?? '', /^\/samlIdps\/0\/metadata needs file or url/)
    assert.match(messages[1] ?? '', /^\/samlIdps\/1\/metadata has file and url/)
    assert.match(messages[2] ?? '', /^\/samlIdps\/2\/metadata\/file cannot read .*no such file/)
    assert.match(messages[3] ?? '', /^\/samlIdps\/3\/metadata\/file /)
    assert.match(
      messages[4] ?? '',
      /^\/samlIdps\/4\/entityId "https:\/\/other.example" is not the metadata's entityID/,
    )
    assert.match(messages[5] ?? '', /^\/samlIdps\/5\/entityId has leading or trailing whitespace/)
    assert.match(
      messages[6] ?? '',
      /^\/samlIdps\/5\/metadataSigningCertificateFile .*is not a PEM or DER X.509 certificate/,
    )
    assert.match(
      messages[7] ?? '',
      /^\/samlIdps\/7\/entityId duplicates the entity ID of \/samlIdps\/6/,
    )
    assert.match(messages[8] ?? '', /^\/saml\/acsUrl must be an absolute http\(s\) URL/)
    assert.match(messages[9] ?? '', /^\/saml\/spEntityId has leading or trailing whitespace/)
    assert.match(
      messages[10] ?? '',
      /^\/saml\/decryptionKey environment variable SAML_KEY is not set/,
    )
  })

  it('needs the saml section with any IdP', () => {
    const problems: Problem[] = []
    compileSaml(
      [{ metadata: { file: 'idp-metadata.xml' } }],
      undefined,
      { baseDir, clock },
      problems,
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/saml'],
    )
  })

  it('resolves a file: decryption key and duplicates of a name', () => {
    const { result, problems } = compile(
      [
        { name: 'x', metadata: { file: 'idp-metadata.xml' } },
        { name: 'x', entityId: 'https://two', metadata: { url: 'https://two/md' } },
      ],
      { ...saml, decryptionKey: 'file:sp.key', clockSkewSeconds: 5 },
    )
    assert.deepEqual(
      problems.map((p) => p.path),
      ['/samlIdps/1/name'],
    )
    assert.deepEqual(result.saml?.decryptionKey, { kind: 'file', path: join(baseDir, 'sp.key') })
    assert.equal(result.saml?.clockSkewSeconds, 5)
  })
})

describe('samlIdps in tessera.yaml', () => {
  const yaml = (policyIssuer: string) => `server:
  publicUrl: https://tessera.test
trustDomain: example.org
issuer:
  keyEncryptionKey: env:K
samlIdps:
  - metadata:
      file: ${JSON.stringify(testIdp.metadataPath)}
saml:
  spEntityId: https://tessera.test
  acsUrl: https://tessera.test/saml/acs
inventory:
  services:
    - name: api
      audiences: [https://api.example.org]
policies:
  - name: p
    issuer: ${policyIssuer}
    subject: "*@example.com"
    targets: [api]
`
  it('lets a policy name the IdP by the entity ID its metadata holds', () => {
    const config = parseConfig(yaml(testIdp.entityId), 'saml.yaml')
    assert.equal(config.samlIdps[0]?.entityId, testIdp.entityId)
    assert.equal(config.saml?.acsUrl, 'https://tessera.test/saml/acs')
  })
  it('still refuses a policy issuer that is neither a trusted issuer nor an IdP', () => {
    assert.throws(
      () => parseConfig(yaml('https://idp.example.com/saml/'), 'saml.yaml'),
      (e: { code: string; problems?: Problem[] }) =>
        e.code === 'invalid_config' &&
        (e.problems ?? []).some(
          (p) => p.path.startsWith('/policies/0') && /issuer/.test(p.message),
        ),
    )
  })
})
