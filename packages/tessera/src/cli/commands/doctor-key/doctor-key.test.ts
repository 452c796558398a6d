import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../main.ts'
import { memoryOutput } from '../../output/stream.ts'
import { doctorKeyUsage } from './doctor-key.ts'
import { describeKey, inspectKey } from './inspect-key.ts'
import type { KeyDoctorJson } from './render.ts'

const fixture = (name: string): string => fileURLToPath(new URL(`testing/${name}`, import.meta.url))
const cert = (name: string): X509Certificate => new X509Certificate(readFileSync(fixture(name)))

const dir = mkdtempSync(join(tmpdir(), 'tessera-doctor-key-'))
after(() => rmSync(dir, { recursive: true, force: true }))
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

// Every time is derived from the fixtures' own dates: a day after they were issued, when all
// of them are valid, and a year later, when the one-day leaf has expired.
const issued = cert('leaf-1-day.crt').validFromDate.getTime()
const iso = (ms: number): string => new Date(ms).toISOString()
const whileValid = iso(issued + 3_600_000)
const yearLater = iso(issued + 365 * 86_400_000)

interface Run {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

async function doctor(...args: string[]): Promise<Run> {
  const output = memoryOutput()
  const status = await runCli(['doctor', 'key', ...args], output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

async function json(...args: string[]): Promise<KeyDoctorJson> {
  const run = await doctor(...args, '--json')
  assert.equal(run.stdout.split('\n').length, 1, 'exactly one line on stdout')
  const report = JSON.parse(run.stdout) as KeyDoctorJson
  assert.equal(run.status, report.valid ? 0 : 1)
  return report
}

const checkOf = (report: KeyDoctorJson, name: string) => {
  const c = report.checks.find((x) => x.name === name)
  assert.ok(c, `check ${name}`)
  return c
}

describe('tessera doctor key', () => {
  describe('what the key is', () => {
    const cases: [string, string, string, string, number | null, string | null][] = [
      ['rsa-pkcs1.pem', 'PEM', 'PKCS#1', 'RSA', 2048, null],
      ['rsa-pkcs8.pem', 'PEM', 'PKCS#8', 'RSA', 2048, null],
      ['rsa-pkcs8.der', 'DER', 'PKCS#8', 'RSA', 2048, null],
      ['rsa-pkcs1.der', 'DER', 'PKCS#1', 'RSA', 2048, null],
      ['ec-sec1.pem', 'PEM', 'SEC1', 'EC', null, 'P-256'],
      ['ec-sec1.der', 'DER', 'SEC1', 'EC', null, 'P-256'],
      ['ed25519.pem', 'PEM', 'PKCS#8', 'Ed25519', null, null],
    ]
    for (const [name, encoding, format, type, bits, curve] of cases) {
      it(`${name}: ${format} ${encoding}, ${type}`, async () => {
        const report = await json(fixture(name))
        assert.deepEqual(report.key, { encoding, format, encrypted: false, type, bits, curve })
        assert.equal(report.valid, true)
        assert.equal(report.code, null)
        assert.deepEqual(
          report.checks.map((c) => [c.name, c.ok, c.skipped ?? false]),
          [
            ['key', true, false],
            ['certificate', false, true],
            ['chain', false, true],
            ['expiry', false, true],
          ],
        )
      })
    }

    it('prints a human report: one line per check and the verdict', async () => {
      const run = await doctor(fixture('rsa-pkcs1.pem'), '--now', whileValid)
      assert.equal(run.status, 0)
      assert.match(run.stdout, /^tessera doctor key — PEM key, now /)
      assert.match(run.stdout, /✓ key {10}PKCS#1 PEM, RSA 2048 bits, unencrypted/)
      assert.match(run.stdout, /– certificate {2}skipped: no --cert given/)
      assert.match(run.stdout, /valid: every check passed$/)
    })
  })

  describe('key_encrypted', () => {
    const cases: [string, string, string | null][] = [
      ['rsa-encrypted-pkcs8.pem', 'encrypted PKCS#8', null],
      ['rsa-encrypted-pkcs8.der', 'encrypted PKCS#8', null],
      ['rsa-encrypted-legacy.pem', 'encrypted legacy PEM (PKCS#1)', 'RSA'],
    ]
    for (const [name, format, type] of cases) {
      it(`${name} is reported as encrypted, with the openssl command`, async () => {
        const report = await json(fixture(name), '--cert', fixture('leaf.crt'), '--now', whileValid)
        assert.equal(report.valid, false)
        assert.equal(report.code, 'key_encrypted')
        assert.equal(report.key.encrypted, true)
        assert.equal(report.key.format, format)
        assert.equal(report.key.type, type)
        const key = checkOf(report, 'key')
        assert.equal(key.code, 'key_encrypted')
        assert.equal(key.actual, format)
        assert.match(key.message ?? '', /AWS .* need an unencrypted PEM private key/)
        // The format is named once, with its encoding only where the format does not say it.
        const named = format.includes('PEM') ? format : `${format} ${report.key.encoding}`
        assert.ok(
          (key.message ?? '').includes(`(${named}${type === null ? '' : `, ${type}`}):`),
          key.message ?? '',
        )
        assert.doesNotMatch(key.message ?? '', /PEM\b.*\bPEM,/)
        assert.match(key.message ?? '', /`openssl pkey -in \S+ -out key-plain\.pem`/)
        assert.equal(checkOf(report, 'certificate').message, 'skipped: the key is encrypted')
      })
    }

    it('describes each key with its encoding named once', () => {
      const described = (name: string): string =>
        describeKey(inspectKey(readFileSync(fixture(name)), fixture(name)))
      assert.equal(
        described('rsa-encrypted-legacy.pem'),
        'encrypted legacy PEM (PKCS#1), RSA, encrypted',
      )
      assert.equal(
        described('rsa-encrypted-pkcs8.der'),
        'encrypted PKCS#8 DER, key type hidden by encryption, encrypted',
      )
      assert.equal(described('rsa-pkcs1.pem'), 'PKCS#1 PEM, RSA 2048 bits, unencrypted')
    })

    it('the human report names the root cause and what to change', async () => {
      const run = await doctor(fixture('rsa-encrypted-legacy.pem'))
      assert.equal(run.status, 1)
      assert.match(run.stdout, /✗ key {10}key_encrypted: /)
      assert.match(run.stdout, /rejected: 1 check failed/)
      assert.match(run.stdout, /root cause: key_encrypted — /)
      assert.match(run.stdout, /what to change: decrypt it/)
    })
  })

  describe('key and certificate', () => {
    it('a matching key and a complete chain: valid, naming the root', async () => {
      const report = await json(
        fixture('rsa-pkcs1.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--chain',
        fixture('chain-complete.pem'),
        '--now',
        whileValid,
      )
      assert.equal(report.valid, true)
      assert.equal(report.root, 'CN=Tessera Test Root CA')
      assert.deepEqual(
        report.certificates.map((c) => [c.subject, c.selfSigned]),
        [
          ['CN=sp.tessera.example', false],
          ['CN=Tessera Test Intermediate CA', false],
          ['CN=Tessera Test Root CA', true],
        ],
      )
      assert.deepEqual(report.warnings, [])
      const run = await doctor(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--chain',
        fixture('chain-complete.pem'),
        '--now',
        whileValid,
      )
      assert.match(run.stdout, /✓ certificate {2}the key belongs to "CN=sp\.tessera\.example"/)
      assert.match(run.stdout, /✓ chain {8}3 certificates up to the root "CN=Tessera Test Root CA"/)
    })

    it('key_certificate_mismatch for a key that is not the certificate’s', async () => {
      for (const key of ['other-rsa.pem', 'ec-sec1.pem']) {
        const report = await json(fixture(key), '--cert', fixture('leaf.crt'), '--now', whileValid)
        assert.equal(report.code, 'key_certificate_mismatch')
        const c = checkOf(report, 'certificate')
        assert.equal(c.code, 'key_certificate_mismatch')
        assert.equal(c.expected, 'the private key of CN=sp.tessera.example')
        assert.match(c.message ?? '', /SHA-256 [0-9A-F:]{95}/)
        assert.doesNotMatch(c.message ?? '', /BEGIN|PRIVATE KEY/)
      }
    })

    it('a self-signed certificate is a complete chain by itself', async () => {
      const report = await json(
        fixture('rsa-pkcs1.pem'),
        '--cert',
        fixture('root.crt'),
        '--now',
        whileValid,
      )
      assert.equal(checkOf(report, 'chain').ok, true)
      assert.equal(report.root, 'CN=Tessera Test Root CA')
      assert.equal(report.code, 'key_certificate_mismatch')
    })

    it('without --chain a CA-issued leaf’s chain is not judged', async () => {
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--now',
        whileValid,
      )
      assert.equal(report.valid, true)
      assert.equal(checkOf(report, 'chain').message, 'skipped: no --chain given')
    })
  })

  describe('chain_incomplete', () => {
    it('names the missing intermediate', async () => {
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--chain',
        fixture('chain-missing-intermediate.pem'),
        '--now',
        whileValid,
      )
      assert.equal(report.code, 'chain_incomplete')
      const c = checkOf(report, 'chain')
      assert.equal(c.code, 'chain_incomplete')
      assert.equal(c.expected, 'a certificate whose subject is CN=Tessera Test Intermediate CA')
      assert.deepEqual(c.actual, ['CN=Tessera Test Root CA'])
      assert.match(c.message ?? '', /add its issuer "CN=Tessera Test Intermediate CA"/)
      assert.equal(report.root, null)
    })

    it('a root without its intermediate, given in the --cert file after the leaf', async () => {
      const both = file(
        'leaf-and-root.pem',
        readFileSync(fixture('leaf.crt'), 'utf8') + readFileSync(fixture('root.crt'), 'utf8'),
      )
      const report = await json(fixture('rsa-pkcs8.pem'), '--cert', both, '--now', whileValid)
      assert.equal(report.code, 'chain_incomplete')
    })

    it('a full chain in the --cert file, out of order: complete, with a warning', async () => {
      const fullchain = file(
        'fullchain-unordered.pem',
        ['leaf.crt', 'root.crt', 'intermediate.crt']
          .map((n) => readFileSync(fixture(n), 'utf8'))
          .join(''),
      )
      const report = await json(fixture('rsa-pkcs8.pem'), '--cert', fullchain, '--now', whileValid)
      assert.equal(report.valid, true)
      assert.equal(report.root, 'CN=Tessera Test Root CA')
      assert.match(report.warnings[0] ?? '', /not in order/)
    })

    it('a certificate that is not part of the chain is a warning', async () => {
      const extra = file(
        'chain-extra.pem',
        readFileSync(fixture('chain-complete.pem'), 'utf8') +
          readFileSync(fixture('leaf-1-day.crt'), 'utf8'),
      )
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--chain',
        extra,
        '--now',
        whileValid,
      )
      assert.equal(report.valid, true)
      assert.equal(
        report.warnings[0],
        '"CN=sp.tessera.example" is not part of the chain to the root',
      )
    })
  })

  describe('certificate_expired', () => {
    it('a one-day certificate judged a year later', async () => {
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf-1-day.crt'),
        '--chain',
        fixture('chain-complete.pem'),
        '--now',
        yearLater,
      )
      assert.equal(report.code, 'certificate_expired')
      const c = checkOf(report, 'expiry')
      assert.equal(c.code, 'certificate_expired')
      assert.equal(c.expected, `valid at ${yearLater}`)
      const validTo = cert('leaf-1-day.crt').validToDate.toISOString()
      assert.deepEqual(c.actual, [`"CN=sp.tessera.example" expired on ${validTo}`])
      assert.equal(checkOf(report, 'chain').ok, true)
    })

    it('takes --now as UNIX seconds as well as ISO 8601', async () => {
      const args = ['--cert', fixture('leaf-1-day.crt'), '--chain', fixture('chain-complete.pem')]
      const seconds = (isoTime: string): string => String(Date.parse(isoTime) / 1000)
      const valid = await json(fixture('rsa-pkcs8.pem'), ...args, '--now', seconds(whileValid))
      assert.equal(valid.valid, true)
      const expired = await json(fixture('rsa-pkcs8.pem'), ...args, '--now', seconds(yearLater))
      assert.equal(expired.code, 'certificate_expired')
      assert.equal(checkOf(expired, 'expiry').expected, `valid at ${yearLater}`)
    })

    it('warns within 30 days of expiry, without failing', async () => {
      const validTo = cert('leaf.crt').validToDate.getTime()
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--now',
        iso(validTo - 10 * 86_400_000 - 60_000),
      )
      assert.equal(report.valid, true)
      assert.equal(checkOf(report, 'expiry').ok, true)
      assert.match(report.warnings[0] ?? '', /"CN=sp\.tessera\.example" expires on .*, in 10 days/)
      const run = await doctor(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--now',
        iso(validTo - 86_400_000 + 60_000),
      )
      assert.equal(run.status, 0)
      assert.match(run.stdout, /! "CN=sp\.tessera\.example" expires on .*, in 0 days/)
    })
  })

  describe('not_yet_valid', () => {
    const before = iso(issued - 86_400_000)

    it('a certificate not valid yet is not reported as expired', async () => {
      const report = await json(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--now',
        before,
      )
      assert.equal(report.valid, false)
      assert.equal(report.code, 'not_yet_valid')
      const c = checkOf(report, 'expiry')
      assert.equal(c.code, 'not_yet_valid')
      assert.equal(c.expected, `valid at ${before}`)
      const validFrom = cert('leaf.crt').validFromDate.toISOString()
      assert.deepEqual(c.actual, [`"CN=sp.tessera.example" is not valid before ${validFrom}`])
      assert.doesNotMatch(c.message ?? '', /expired/)
    })

    it('the human report names not_yet_valid as the root cause', async () => {
      const run = await doctor(
        fixture('rsa-pkcs8.pem'),
        '--cert',
        fixture('leaf.crt'),
        '--now',
        before,
      )
      assert.equal(run.status, 1)
      assert.match(run.stdout, /✗ expiry +not_yet_valid: /)
      assert.match(run.stdout, /root cause: not_yet_valid — /)
      assert.doesNotMatch(run.stdout, /certificate_expired/)
    })
  })

  describe('usage and unreadable input (exit 2)', () => {
    const usageFailure = async (args: string[], message: RegExp): Promise<void> => {
      const run = await doctor(...args)
      assert.equal(run.status, 2)
      assert.equal(run.stdout, '')
      assert.match(run.stderr, /^tessera doctor key: invalid_options: /)
      assert.match(run.stderr, message)
      assert.ok(run.stderr.endsWith(doctorKeyUsage))
    }

    it('--help prints the usage', async () => {
      const run = await doctor('--help')
      assert.equal(run.status, 0)
      assert.equal(run.stdout, doctorKeyUsage)
    })

    it('refuses a missing key argument, --chain without --cert and a bad --now', async () => {
      await usageFailure([], /expected one KEY_FILE argument, got 0/)
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--chain', fixture('root.crt')],
        /--chain needs --cert/,
      )
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--now', 'tomorrow'],
        /--now must be UNIX seconds or an ISO 8601 date and time with a timezone .*"tomorrow" is neither/,
      )
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--now', '2027-01-15'],
        /"2027-01-15" is a date without a time: write 2027-01-15T00:00:00Z for midnight UTC/,
      )
    })

    it('refuses files that hold no private key or no certificate', async () => {
      await usageFailure([join(dir, 'missing.pem')], /cannot read key file .*ENOENT/)
      await usageFailure(
        ['/dev/zero'],
        /cannot read key file "\/dev\/zero": it is a character device, not a regular file of at most 1048576 bytes/,
      )
      await usageFailure(
        [fixture('leaf.crt')],
        /a PEM block labelled "CERTIFICATE", not a private key/,
      )
      await usageFailure(
        [
          file(
            'ssh.key',
            '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n',
          ),
        ],
        /ssh-keygen -p -m PEM/,
      )
      await usageFailure(
        [file('broken.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')],
        /a private key node:crypto cannot read/,
      )
      await usageFailure(
        [file('half.pem', '-----BEGIN PRIVATE KEY-----\nAAAA\n')],
        /incomplete PEM block/,
      )
      await usageFailure(
        [file('noise.der', Buffer.from('not a key'))],
        /neither PEM nor a DER private key/,
      )
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--cert', fixture('rsa-pkcs8.pem')],
        /holds no PEM CERTIFICATE block/,
      )
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--cert', file('bad.der', Buffer.from('not a certificate'))],
        /certificate 1 is not a valid X\.509 certificate/,
      )
      await usageFailure(
        [fixture('rsa-pkcs8.pem'), '--cert', file('big.pem', Buffer.alloc(1024 * 1024 + 1))],
        /larger than 1048576 bytes/,
      )
    })
  })
})
