import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { encryptXml, spKey, spKeyPem } from '../../saml/decrypt/testing/encrypt.ts'
import { samlResponse, samlResponseXml, testIdp } from '../../server/http/testing/saml-response.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-doctor-saml-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const now = 1_800_000_000
const nowIso = new Date(now * 1000).toISOString()
const spEntityId = 'https://tessera.test'
const acsUrl = 'https://tessera.test/saml/acs'
const aws = {
  'https://aws.amazon.com/SAML/Attributes/Role': [
    'arn:aws:iam::123456789012:role/r,arn:aws:iam::123456789012:saml-provider/idp',
  ],
  'https://aws.amazon.com/SAML/Attributes/RoleSessionName': ['alice'],
}

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

async function doctor(args: string[], stdin?: string) {
  const output = memoryOutput()
  const status = await runCli(
    ['doctor', 'saml', ...args],
    output,
    stdin === undefined ? undefined : Readable.from([stdin]),
  )
  return { status, out: output.stdout.join('\n'), err: output.stderr.join('\n') }
}

const base = ['--metadata', testIdp.metadataPath, '--now', nowIso]

describe('tessera doctor saml', () => {
  it('passes a valid Response and names the signer', async () => {
    const path = file('ok.b64', samlResponse({ now, destination: acsUrl, audience: spEntityId }))
    const { status, out } = await doctor([
      path,
      ...base,
      '--sp-entity-id',
      spEntityId,
      '--acs-url',
      acsUrl,
    ])
    assert.equal(status, 0, out)
    assert.match(out, /✓ signature/)
    assert.match(out, /valid: every check passed/)
    assert.match(out, /NameID alice@example\.com, signed by CN=Tessera Test IdP/)
  })

  it('runs every check and ranks the root cause, as JSON from standard input', async () => {
    const response = samlResponse({ now, destination: acsUrl, audience: 'https://tessera.test/' })
    const { status, out } = await doctor(
      ['-', ...base, '--sp-entity-id', spEntityId, '--acs-url', acsUrl, '--json'],
      response,
    )
    assert.equal(status, 1)
    const json = JSON.parse(out)
    assert.equal(json.valid, false)
    assert.equal(json.code, 'audience_mismatch')
    const audience = json.checks.find((c: { name: string }) => c.name === 'audience')
    assert.equal(audience.ok, false)
    assert.equal(audience.code, 'audience_mismatch')
    assert.equal(json.checks.find((c: { name: string }) => c.name === 'signature').ok, true)
  })

  it('prints the failure with expected and actual in the human report', async () => {
    const path = file(
      'late.b64',
      samlResponse({ now: now - 3600, destination: acsUrl, audience: spEntityId }),
    )
    const { status, out } = await doctor([
      path,
      ...base,
      '--sp-entity-id',
      spEntityId,
      '--acs-url',
      acsUrl,
    ])
    assert.equal(status, 1)
    assert.match(out, /✗ expiry +expired: /)
    assert.match(out, /root cause: expired/)
  })

  it("with --aws, says AssumeRoleWithSAML's code and message, defaulting to AWS's ACS and audience", async () => {
    const bad = file(
      'bad.b64',
      samlResponse({
        now,
        destination: 'https://signin.aws.amazon.com/saml',
        audience: 'urn:amazon:webservices',
        signingKey: testIdp.attackerKey,
        attributes: aws,
      }),
    )
    const refused = await doctor([bad, ...base, '--aws'])
    assert.equal(refused.status, 1)
    assert.match(
      refused.out,
      /AssumeRoleWithSAML would answer InvalidIdentityToken \(HTTP 400\): Response signature invalid/,
    )
    const good = file(
      'good.b64',
      samlResponse({
        now,
        destination: 'https://signin.aws.amazon.com/saml',
        audience: 'urn:amazon:webservices',
        attributes: aws,
      }),
    )
    const accepted = await doctor([good, ...base, '--aws', '--json'])
    assert.equal(accepted.status, 0, accepted.out)
    assert.deepEqual(JSON.parse(accepted.out).aws, {
      accepted: true,
      code: null,
      status: null,
      message: null,
    })
    const bare = file(
      'bare.b64',
      samlResponse({
        now,
        destination: 'https://signin.aws.amazon.com/saml',
        audience: 'urn:amazon:webservices',
      }),
    )
    const missing = await doctor([bare, ...base, '--aws', '--json'])
    assert.equal(missing.status, 1)
    const answer = JSON.parse(missing.out).aws
    assert.equal(answer.code, 'InvalidIdentityToken')
    assert.match(
      answer.message,
      /Tessera missing_claim: the assertion has no https:\/\/aws\.amazon\.com\/SAML\/Attributes\/Role and no .*RoleSessionName attribute/,
    )
  })

  it('refuses bad flags as usage errors', async () => {
    const path = file('x.b64', 'PHg+')
    assert.equal((await doctor([path, ...base, '--acs-url', acsUrl])).status, 2)
    assert.equal(
      (await doctor([path, '--now', nowIso, '--sp-entity-id', 'a', '--acs-url', acsUrl])).status,
      2,
    )
    assert.equal((await doctor([path, ...base, '--sp-entity-id', 'a'])).status, 2)
    assert.equal(
      (await doctor([path, '--metadata', testIdp.metadataPath, '--now', 'yesterday', '--aws']))
        .status,
      2,
    )
    assert.equal((await doctor([path, ...base, '--aws', '--skew', '-1'])).status, 2)
    assert.equal((await doctor([...base, '--aws'])).status, 2)
    const metadata = await doctor([
      path,
      '--metadata',
      file('md.xml', '<x/>'),
      '--now',
      nowIso,
      '--aws',
    ])
    assert.equal(metadata.status, 2)
    assert.match(metadata.err, /cannot use the metadata/)
    const help = await doctor(['--help'])
    assert.equal(help.status, 0)
    assert.match(help.out, /usage: tessera doctor saml/)
  })
})

describe('tessera doctor saml --now', () => {
  const response = () =>
    file('now.b64', samlResponse({ now, destination: acsUrl, audience: spEntityId }))
  const sp = ['--metadata', testIdp.metadataPath, '--sp-entity-id', spEntityId, '--acs-url', acsUrl]

  it('takes --now as UNIX seconds as well as ISO 8601', async () => {
    for (const value of [String(now), nowIso, '2027-01-15T10:00:00+02:00']) {
      const run = await doctor([response(), ...sp, '--now', value])
      assert.equal(run.status, 0, `${value}: ${run.out}`)
      assert.match(run.out, new RegExp(`now ${nowIso.replace(/\./g, '\\.')}`))
    }
    // An hour later the assertion has expired, whichever form says so.
    for (const value of [String(now + 3600), '2027-01-15T09:00:00Z']) {
      const run = await doctor([response(), ...sp, '--now', value, '--json'])
      assert.equal(run.status, 1, value)
      assert.equal(JSON.parse(run.out).valid, false)
    }
  })

  it('refuses a date and time without a timezone, or one that does not exist', async () => {
    const local = await doctor([response(), ...sp, '--now', '2027-01-15T08:00:00'])
    assert.equal(local.status, 2)
    assert.match(local.err, /"2027-01-15T08:00:00" has no timezone/)
    const february = await doctor([response(), ...sp, '--now', '2027-02-29T08:00:00Z'])
    assert.equal(february.status, 2)
    assert.match(february.err, /has day 29, but that month has 28 days/)
  })
})

describe('tessera doctor saml --decryption-key', () => {
  const keyFixture = (name: string): string =>
    fileURLToPath(new URL(`doctor-key/testing/${name}`, import.meta.url))
  const sp = ['--metadata', testIdp.metadataPath, '--now', nowIso, '--sp-entity-id', spEntityId]

  // The test IdP's signed Response with its Assertion encrypted to the test SP's certificate.
  async function encryptedResponse(): Promise<string> {
    const xml = samlResponseXml({ now, destination: acsUrl, audience: spEntityId })
    const assertion = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)?.[0] as string
    const data = await encryptXml(assertion)
    const encrypted = xml.replace(
      assertion,
      `<saml:EncryptedAssertion>${data}</saml:EncryptedAssertion>`,
    )
    assert.doesNotMatch(encrypted, /alice@example\.com/)
    return file('encrypted.b64', Buffer.from(encrypted).toString('base64'))
  }

  const checkOf = (out: string, name: string) =>
    (JSON.parse(out).checks as { name: string; ok: boolean; code: string | null }[]).find(
      (c) => c.name === name,
    )

  it('opens an EncryptedAssertion with the SP key, PEM or DER, and passes every check', async () => {
    const path = await encryptedResponse()
    const der = join(dir, 'sp.der')
    writeFileSync(der, spKey.export({ format: 'der', type: 'pkcs1' }))
    for (const key of [file('sp.pem', spKeyPem), der]) {
      const run = await doctor([path, ...sp, '--acs-url', acsUrl, '--decryption-key', key])
      assert.equal(run.status, 0, run.out)
      assert.match(run.out, /✓ decryption/)
      assert.match(run.out, /NameID alice@example\.com, signed by CN=Tessera Test IdP/)
    }
    const json = await doctor([path, ...sp, '--acs-url', acsUrl, '--decryption-key', der, '--json'])
    assert.equal(JSON.parse(json.out).valid, true)
    assert.equal(checkOf(json.out, 'decryption')?.ok, true)
  })

  it('fails the decryption check with another RSA key, and without a key', async () => {
    const path = await encryptedResponse()
    const wrong = await doctor([
      path,
      ...sp,
      '--acs-url',
      acsUrl,
      '--decryption-key',
      keyFixture('other-rsa.pem'),
      '--json',
    ])
    assert.equal(wrong.status, 1)
    const report = JSON.parse(wrong.out)
    assert.equal(report.code, 'decryption_failed')
    const decryption = checkOf(wrong.out, 'decryption')
    assert.equal(decryption?.ok, false)
    assert.equal(decryption?.code, 'decryption_failed')
    // Without the plaintext there is nothing for the later checks to look at.
    assert.equal(checkOf(wrong.out, 'audience')?.ok, false)
    const none = await doctor([path, ...sp, '--acs-url', acsUrl, '--json'])
    assert.equal(none.status, 1)
    assert.equal(checkOf(none.out, 'decryption')?.code, 'decryption_failed')
  })

  it('refuses an encrypted, a non-RSA or an unreadable key file without printing key material', async () => {
    const path = await encryptedResponse()
    const run = (key: string) => doctor([path, ...sp, '--acs-url', acsUrl, '--decryption-key', key])
    const encrypted = await run(keyFixture('rsa-encrypted-pkcs8.pem'))
    assert.equal(encrypted.status, 2)
    assert.match(
      encrypted.err,
      /invalid_options: --decryption-key: ".*rsa-encrypted-pkcs8\.pem" is a passphrase-encrypted key \(encrypted PKCS#8 PEM.*\); run `tessera doctor key /,
    )
    const ec = await run(keyFixture('ec-sec1.pem'))
    assert.equal(ec.status, 2)
    assert.match(ec.err, /holds a private key of type EC .*RSA-OAEP key transport/)
    const certificate = await run(keyFixture('leaf.crt'))
    assert.equal(certificate.status, 2)
    assert.match(certificate.err, /--decryption-key: .* not a private key/)
    const missing = await run(join(dir, 'absent.pem'))
    assert.equal(missing.status, 2)
    assert.match(missing.err, /cannot read decryption key file .*ENOENT/)
    for (const r of [encrypted, ec, certificate, missing]) {
      assert.doesNotMatch(`${r.out}${r.err}`, /BEGIN|MII/)
      assert.equal(r.out, '')
    }
  })
})
