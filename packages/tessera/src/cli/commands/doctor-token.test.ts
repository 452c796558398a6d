import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { fingerprint } from '@tessera/verify'
import {
  closedPortOrigin,
  sendJson,
  startLoopbackServer,
} from '../../../../verify/test/support/http-server.ts'
import {
  generateTestKey,
  jwksOf,
  signJwt,
  type TestKey,
} from '../../../../verify/test/support/token-factory.ts'
import {
  type FixtureName,
  fixturePath,
  fixtureText,
  githubClaims,
} from '../../cloud/testing/fixtures.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { doctorTokenUsage } from './doctor-token.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-doctor-token-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function file(name: string, content: string): string {
  const path = join(dir, name)
  writeFileSync(path, content)
  return path
}

const issuer = 'https://ci.tessera.example'
const audience = 'https://api.example.com'
const now = 1_800_000_000
const nowIso = '2027-01-15T08:00:00.000Z'
const key = generateTestKey('ES256', 'ci-1')
const jwksPath = file('jwks.json', JSON.stringify(jwksOf(key)))

const claims = {
  iss: issuer,
  sub: 'spiffe://prod.tessera.example/ci/acme/payments',
  aud: audience,
  iat: now - 60,
  nbf: now - 60,
  exp: now + 300,
  jti: 'jti-1',
}
const mint = (
  changes: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  k: TestKey = key,
): string => signJwt(k, { ...claims, ...changes }, header)
const signatureOf = (token: string): string => token.split('.')[2] as string

const validToken = mint()
const slashToken = mint({ aud: `${audience}/` })
const base = ['--issuer', issuer, '--audience', audience, '--now', String(now)]

interface Run {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
  readonly lines: readonly string[]
}

async function doctor(args: readonly string[], stdin?: NodeJS.ReadableStream): Promise<Run> {
  const output = memoryOutput()
  const status = await runCli(['doctor', 'token', ...args], output, stdin)
  return {
    status,
    stdout: output.stdout.join('\n'),
    stderr: output.stderr.join('\n'),
    lines: output.stdout.flatMap((l) => l.split('\n')),
  }
}

const check = (token: string, ...extra: string[]): Promise<Run> =>
  doctor([token, ...base, '--jwks', jwksPath, ...extra])

interface JsonCheck {
  readonly name: string
  readonly ok: boolean
  readonly skipped?: true
  readonly code: string | null
  readonly expected: string | string[] | null
  readonly actual: string | string[] | null
  readonly hint: string | null
  readonly message: string | null
}
interface JsonReport {
  readonly valid: boolean
  readonly code: string | null
  readonly hint: string | null
  readonly checks: readonly JsonCheck[]
}

function parseReport(run: Run): JsonReport {
  assert.equal(run.lines.length, 1, 'exactly one line on stdout')
  return JSON.parse(run.stdout) as JsonReport
}

/** The first stderr line of a usage error, then the command's usage. */
function assertUsageError(run: Run, message: string): void {
  assert.equal(run.status, 2)
  assert.equal(run.stdout, '')
  assert.equal(run.stderr, `tessera doctor token: invalid_options: ${message}\n${doctorTokenUsage}`)
}

describe('tessera doctor token', () => {
  describe('exit status', () => {
    it('exits 0 for a valid token', async () => {
      assert.equal((await check(validToken)).status, 0)
    })

    it('exits 1 for a rejected token', async () => {
      assert.equal((await check(slashToken)).status, 1)
    })

    it('exits 1 for a token that cannot even be decoded', async () => {
      const run = await check('not-a-token')
      assert.equal(run.status, 1)
      assert.ok(
        run.lines.includes(
          'root cause: malformed — token has 1 segment, expected 3 (header.payload.signature)',
        ),
      )
    })

    it('prints its usage and exits 0 with --help', async () => {
      const run = await doctor(['--help'])
      assert.equal(run.status, 0)
      assert.equal(run.stdout, doctorTokenUsage)
    })
  })

  describe('human output', () => {
    it('prints a ✓ line per passed check and says the token is valid', async () => {
      const run = await check(validToken)
      assert.equal(
        run.lines[0],
        `tessera doctor token — token ${fingerprint(validToken)} (${validToken.length} bytes), keys from key file ${jwksPath}, now ${nowIso}`,
      )
      assert.deepEqual(run.lines.slice(1), [
        '  ✓ decode      ES256 JWT, kid "ci-1"',
        '  ✓ crit',
        '  ✓ typ         typ "JWT"',
        `  ✓ issuer      iss "${issuer}"`,
        '  ✓ algorithm',
        '  ✓ key',
        '  ✓ signature',
        `  ✓ audience    aud "${audience}"`,
        '  ✓ expiry      exp 2027-01-15T08:05:00.000Z',
        '  ✓ not_before',
        '  ✓ issued_at',
        '  (not configured: lifetime, token_age, subject, claims, replay)',
        '',
        'valid: every check passed',
      ])
    })

    it('prints a ✗ line with expected, actual and hint, then the root cause and what to change', async () => {
      const run = await check(slashToken)
      const pad = ' '.repeat(16)
      const message = `aud "${audience}/" is not one of ["${audience}"]: the values differ only by a trailing slash`
      const at = run.lines.indexOf(`  ✗ audience    audience_mismatch: ${message}`)
      assert.ok(at > 0, run.stdout)
      assert.deepEqual(run.lines.slice(at + 1, at + 4), [
        `${pad}expected: ["${audience}"]`,
        `${pad}actual:   ["${audience}/"]`,
        `${pad}hint:     trailing_slash`,
      ])
      assert.deepEqual(run.lines.slice(-3), [
        'rejected: 1 check failed',
        `root cause: audience_mismatch (trailing_slash) — ${message}`,
        `what to change: use "${audience}" exactly, on both sides (trailing slash); request the token for one of this receiver's audience identifiers`,
      ])
    })

    it('gives the code table fix when the hint is clock skew', async () => {
      const run = await check(mint({ exp: now - 90, iat: now - 400, nbf: now - 400 }))
      assert.equal(run.status, 1)
      assert.ok(run.lines.some((l) => l.endsWith('hint:     clock_skew')))
      assert.equal(
        run.lines.at(-1),
        'what to change: fetch a fresh token; if it was just minted, check both clocks (NTP)',
      )
    })

    it('gives the code table fix when a near miss has several expected values', async () => {
      const run = await check(slashToken, '--audience', 'https://other.example.com')
      assert.equal(run.status, 1)
      assert.equal(
        run.lines.at(-1),
        "what to change: request the token for one of this receiver's audience identifiers",
      )
    })

    it('prints skipped checks with the check that blocked them', async () => {
      const other = generateTestKey('ES256', 'unknown-kid')
      const run = await check(mint({}, {}, other))
      assert.equal(run.status, 1)
      assert.ok(run.lines.includes('  – signature   skipped: key did not pass'), run.stdout)
      assert.ok(
        run.lines.some((l) => l.startsWith('  ✗ key         unknown_key: kid "unknown-kid"')),
      )
    })

    it('runs every check and lists each failure: wrong aud, expired and wrong iss together', async () => {
      const run = await check(
        mint({
          iss: 'https://other.example',
          aud: 'https://wrong.example',
          exp: now - 3600,
          iat: now - 7200,
          nbf: now - 7200,
        }),
      )
      assert.equal(run.status, 1)
      const failed = run.lines.filter((l) => l.startsWith('  ✗')).map((l) => l.slice(4, 14).trim())
      assert.deepEqual(failed, ['issuer', 'audience', 'expiry'])
      assert.ok(
        run.lines.includes('  ✓ signature'),
        'the signature is still checked with the one issuer',
      )
      assert.ok(run.lines.includes('rejected: 3 checks failed'))
      assert.ok(run.lines.some((l) => l.startsWith('root cause: issuer_unknown — ')))
      assert.ok(run.lines.some((l) => l.startsWith('what to change: ')))
    })

    it('lists the optional checks the flags turn on', async () => {
      const run = await check(
        validToken,
        '--max-lifetime',
        '100',
        '--max-token-age',
        '3600',
        '--typ',
        'at+jwt',
        '--subject',
        'spiffe://prod.tessera.example/ci/acme/other',
        '--require',
        'repository',
        '--alg',
        'ES256',
        '--leeway',
        '0',
      )
      assert.equal(run.status, 1)
      const failed = run.lines.filter((l) => l.startsWith('  ✗')).map((l) => l.slice(4, 14).trim())
      assert.deepEqual(failed, ['typ', 'lifetime', 'subject', 'claims'])
      assert.ok(run.lines.includes('  ✓ token_age'))
      assert.ok(run.lines.includes('  (not configured: replay)'))
      assert.ok(run.lines.includes('rejected: 4 checks failed'))
    })

    it('shows the subject when the --subject check passes', async () => {
      const run = await check(validToken, '--subject', claims.sub)
      assert.equal(run.status, 0)
      assert.ok(run.lines.includes(`  ✓ subject     sub "${claims.sub}"`), run.stdout)
    })

    it('accepts several --audience values', async () => {
      assert.equal((await check(slashToken, '--audience', `${audience}/`)).status, 0)
    })

    it('explains a Bearer-prefixed token as the root cause', async () => {
      const run = await check(`Bearer ${validToken}`)
      assert.equal(run.status, 1)
      assert.ok(
        run.lines.includes(
          'root cause: malformed — token starts with an authorization scheme: pass the token without "Bearer "',
        ),
        run.stdout,
      )
      assert.equal(
        run.lines.at(-1),
        'what to change: send the raw compact token (three base64url segments), without quotes, prefixes or whitespace',
      )
    })

    it('never prints the token or its signature segment', async () => {
      const cases = [
        validToken,
        slashToken,
        mint({ aud: 'https://wrong.example', exp: now - 3600 }),
        mint({}, {}, generateTestKey('ES256', 'ci-1')),
        `${validToken}\n`,
        `Bearer ${validToken}`,
        `"${validToken}"`,
      ]
      for (const token of cases) {
        const signed = token.trim().replace(/^Bearer |"/g, '')
        for (const json of [[], ['--json']]) {
          const run = await check(token, ...json)
          const shown = `${run.stdout}\n${run.stderr}`
          assert.ok(!shown.includes(signed), 'the token')
          assert.ok(!shown.includes(signatureOf(signed)), 'its signature segment')
        }
      }
    })

    it('never writes raw control characters from the token header to the terminal', async () => {
      const run = await check(mint({}, { alg: 'ES256\u001b[2J' }))
      assert.equal(run.status, 1)
      assert.ok(!run.stdout.includes('\u001b'), 'no raw ESC on stdout')
    })

    it('reports a token whose exp is beyond the JavaScript date range instead of crashing', async () => {
      const run = await check(mint({ exp: 9e12 }))
      assert.equal(run.status, 0)
      assert.ok(run.lines.some((l) => l.startsWith('  ✓ expiry')))
    })

    it('treats a --now beyond the JavaScript date range as a usage error instead of crashing', async () => {
      const run = await doctor([
        validToken,
        '--issuer',
        issuer,
        '--audience',
        audience,
        '--jwks',
        jwksPath,
        '--now',
        '99999999999999',
      ])
      assert.equal(run.status, 2)
    })
  })

  describe('--json', () => {
    it('prints exactly one JSON object with valid, code, hint and checks', async () => {
      const report = parseReport(await check(validToken, '--json'))
      assert.deepEqual(Object.keys(report), ['valid', 'code', 'hint', 'checks'])
      assert.equal(report.valid, true)
      assert.equal(report.code, null)
      assert.equal(report.hint, null)
      assert.deepEqual(
        report.checks.map((c) => c.name),
        [
          'decode',
          'crit',
          'typ',
          'issuer',
          'algorithm',
          'key',
          'signature',
          'audience',
          'expiry',
          'not_before',
          'issued_at',
        ],
      )
      for (const c of report.checks) {
        assert.deepEqual(Object.keys(c), [
          'name',
          'ok',
          'code',
          'expected',
          'actual',
          'hint',
          'message',
        ])
        assert.deepEqual(c, {
          name: c.name,
          ok: true,
          code: null,
          expected: null,
          actual: null,
          hint: null,
          message: null,
        })
      }
    })

    it('gives the primary code and hint, and each failure with expected, actual, hint and message', async () => {
      const run = await check(slashToken, '--json')
      assert.equal(run.status, 1)
      const report = parseReport(run)
      assert.equal(report.valid, false)
      assert.equal(report.code, 'audience_mismatch')
      assert.equal(report.hint, 'trailing_slash')
      assert.deepEqual(
        report.checks.find((c) => c.name === 'audience'),
        {
          name: 'audience',
          ok: false,
          code: 'audience_mismatch',
          expected: [audience],
          actual: [`${audience}/`],
          hint: 'trailing_slash',
          message: `aud "${audience}/" is not one of ["${audience}"]: the values differ only by a trailing slash`,
        },
      )
    })

    it('lists every failing check: wrong aud, expired and wrong iss together', async () => {
      const run = await check(
        mint({
          iss: 'https://other.example',
          aud: 'https://wrong.example',
          exp: now - 3600,
          iat: now - 7200,
          nbf: now - 7200,
        }),
        '--json',
      )
      const report = parseReport(run)
      assert.equal(report.code, 'issuer_unknown')
      assert.equal(report.hint, null)
      const failed = report.checks.filter((c) => !c.ok)
      assert.deepEqual(
        failed.map((c) => [c.name, c.code]),
        [
          ['issuer', 'issuer_unknown'],
          ['audience', 'audience_mismatch'],
          ['expiry', 'expired'],
        ],
      )
      assert.deepEqual(failed[0], {
        name: 'issuer',
        ok: false,
        code: 'issuer_unknown',
        expected: [issuer],
        actual: 'https://other.example',
        hint: null,
        message: `iss "https://other.example" is not one of the trusted issuers ["${issuer}"]`,
      })
      assert.deepEqual(failed[2], {
        name: 'expiry',
        ok: false,
        code: 'expired',
        expected: 'exp after 2027-01-15T07:59:00Z',
        actual: 'exp 2027-01-15T07:00:00Z',
        hint: null,
        message: 'exp 2027-01-15T07:00:00Z is 1 h before now 2027-01-15T08:00:00Z (leeway 60 s)',
      })
    })

    it('marks checks skipped after a failed prerequisite', async () => {
      const report = parseReport(await check('a.b', '--json'))
      assert.equal(report.code, 'malformed')
      const [decode, ...rest] = report.checks
      assert.deepEqual(decode, {
        name: 'decode',
        ok: false,
        code: 'malformed',
        expected: null,
        actual: null,
        hint: null,
        message: 'token has 2 segments, expected 3 (header.payload.signature)',
      })
      assert.ok(rest.length > 0)
      for (const c of rest) {
        assert.equal(c.ok, false)
        assert.equal(c.skipped, true)
        assert.ok(/^skipped: \w+ did not pass$/.test(c.message ?? ''), c.message ?? '')
      }
    })
  })

  describe('usage errors (exit 2, nothing checked)', () => {
    it('requires --issuer', async () => {
      assertUsageError(
        await doctor([validToken, '--audience', audience, '--jwks', jwksPath]),
        '--issuer is required: the issuer the token should come from',
      )
    })

    it('requires --audience', async () => {
      assertUsageError(
        await doctor([validToken, '--issuer', issuer, '--jwks', jwksPath]),
        '--audience is required: the identifier of the receiver',
      )
    })

    it('requires a token argument', async () => {
      assertUsageError(
        await doctor([...base, '--jwks', jwksPath]),
        'missing token: pass TOKEN, @FILE or - for standard input',
      )
    })

    it('refuses more than one token argument', async () => {
      assertUsageError(
        await doctor([validToken, slashToken, ...base, '--jwks', jwksPath]),
        'expected one token argument, got 2',
      )
    })

    it('refuses a --leeway that is not a whole number of seconds', async () => {
      for (const value of ['abc', '-5', '1.5', '']) {
        assertUsageError(
          await check(validToken, `--leeway=${value}`),
          `--leeway must be a whole number of seconds, got ${JSON.stringify(value)}`,
        )
      }
    })

    it('refuses --now, --max-lifetime and --max-token-age that are not whole seconds', async () => {
      assertUsageError(
        await doctor([
          validToken,
          '--issuer',
          issuer,
          '--audience',
          audience,
          '--jwks',
          jwksPath,
          '--now',
          'yesterday',
        ]),
        '--now must be UNIX seconds or an ISO 8601 date and time with a timezone (1798761600 or 2027-01-01T00:00:00Z); "yesterday" is neither UNIX seconds nor an ISO 8601 date and time with a timezone',
      )
      assertUsageError(
        await check(validToken, '--max-lifetime', '1h'),
        '--max-lifetime must be a whole number of seconds, got "1h"',
      )
      assertUsageError(
        await check(validToken, '--max-token-age', '5m'),
        '--max-token-age must be a whole number of seconds, got "5m"',
      )
    })

    it('maps verifier option problems back to the flags that set them', async () => {
      assertUsageError(
        await check(validToken, '--leeway', '400'),
        '--leeway: must be at most 300 seconds; a larger tolerance hides broken clocks',
      )
      assertUsageError(
        await check(validToken, '--alg', 'HS256'),
        '--alg: "HS256" is never accepted: only asymmetric algorithms are (RFC 8725)',
      )
      assertUsageError(await check(validToken, '--typ', ''), '--typ: must be a non-empty string')
      assertUsageError(
        await doctor([validToken, '--issuer', '', '--audience', audience, '--jwks', jwksPath]),
        '--issuer: must be a non-empty string',
      )
      assertUsageError(
        await doctor([validToken, '--issuer', issuer, '--audience', '', '--jwks', jwksPath]),
        '--audience: must be a non-empty string or a non-empty array of non-empty strings',
      )
      assertUsageError(
        await check(validToken, '--subject', ''),
        '--subject: must be a non-empty string or a non-empty array of non-empty strings',
      )
      assertUsageError(
        await check(validToken, '--require', ''),
        '--require: must be a non-empty string or a non-empty array of non-empty strings',
      )
      assertUsageError(
        await doctor([validToken, '--issuer', 'ci', '--audience', audience, '--discovery']),
        '--issuer: must be an absolute http(s) URL when discovery is used',
      )
    })

    it('refuses a key file that holds no key set', async () => {
      const empty = file('null.json', 'null')
      assertUsageError(
        await doctor([validToken, ...base, '--jwks', empty]),
        `--jwks: key set from ${issuer} is not a JWK Set: expected an object with a "keys" array`,
      )
    })

    it('refuses an unknown flag, printing the usage', async () => {
      const run = await check(validToken, '--audiences', audience)
      assert.equal(run.status, 2)
      assert.equal(run.stdout, '')
      assert.match(run.stderr, /^tessera doctor token: Unknown option '--audiences'/)
      assert.ok(run.stderr.endsWith(doctorTokenUsage))
    })

    it('refuses an unreadable @file', async () => {
      const missing = join(dir, 'missing.jwt')
      assertUsageError(
        await doctor([`@${missing}`, ...base, '--jwks', jwksPath]),
        `cannot read token file ${JSON.stringify(missing)}: ENOENT`,
      )
    })

    it('refuses an unreadable key file', async () => {
      const missing = join(dir, 'missing.json')
      assertUsageError(
        await doctor([validToken, ...base, '--jwks', missing]),
        `cannot read key set file ${JSON.stringify(missing)}: ENOENT`,
      )
    })

    it('refuses both --jwks and --discovery', async () => {
      assertUsageError(
        await check(validToken, '--discovery'),
        'give either --jwks or --discovery, not both',
      )
    })
  })

  describe('key files', () => {
    it('accepts a single JWK file as --jwks', async () => {
      const single = file('single.jwk.json', JSON.stringify(key.jwk))
      assert.equal((await doctor([validToken, ...base, '--jwks', single])).status, 0)
    })

    it('accepts a PEM public key file as --jwks for a token without kid', async () => {
      const pem = file(
        'public.pem',
        key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      )
      const run = await doctor([mint({}, { kid: undefined }), ...base, '--jwks', pem])
      assert.equal(run.status, 0, run.stdout)
      assert.ok(run.lines[0]?.includes(`keys from key file ${pem}`))
    })

    it('accepts a PEM public key file as --jwks for a token with a kid', async () => {
      const pem = file(
        'public-kid.pem',
        key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      )
      const run = await doctor([validToken, ...base, '--jwks', pem])
      assert.equal(run.status, 0, run.stdout)
    })
  })

  describe('token input', () => {
    it('reads the token from standard input with -, dropping one trailing newline', async () => {
      const run = await doctor(
        ['-', ...base, '--jwks', jwksPath],
        Readable.from([`${validToken}\n`]),
      )
      assert.equal(run.status, 0, run.stdout)
    })

    it('keeps a second trailing newline, so stray whitespace is still explained', async () => {
      const run = await doctor(
        ['-', ...base, '--jwks', jwksPath, '--json'],
        Readable.from([`${validToken}\n\n`]),
      )
      assert.equal(run.status, 1)
      const report = parseReport(run)
      assert.equal(report.code, 'malformed')
      assert.equal(report.hint, 'whitespace')
    })

    it('reads the token from @FILE, dropping one trailing CRLF', async () => {
      const path = file('token.jwt', `${validToken}\r\n`)
      assert.equal((await doctor([`@${path}`, ...base, '--jwks', jwksPath])).status, 0)
    })
  })

  describe('clock', () => {
    const at = (value: string): Promise<Run> =>
      doctor([
        validToken,
        '--issuer',
        issuer,
        '--audience',
        audience,
        '--jwks',
        jwksPath,
        '--now',
        value,
      ])

    it('takes --now as UNIX seconds or as an ISO 8601 date and time with a timezone', async () => {
      for (const value of [String(now), nowIso, '2027-01-15T10:00:00+02:00', '2027-01-15t08:00z']) {
        const run = await at(value)
        assert.equal(run.status, 0, value)
        assert.ok(run.lines[0]?.endsWith(`now ${nowIso}`), value)
      }
      // Both forms move the clock: an hour later the token has expired.
      for (const value of [String(now + 3600), '2027-01-15T09:00:00Z']) {
        const run = await at(value)
        assert.equal(run.status, 1, value)
        assert.ok(
          run.lines.some((l) => l.startsWith('  ✗ expiry')),
          value,
        )
      }
    })

    it('refuses an ISO 8601 date and time without a timezone', async () => {
      assertUsageError(
        await at('2027-01-15T08:00:00'),
        '--now must be UNIX seconds or an ISO 8601 date and time with a timezone (1798761600 or 2027-01-01T00:00:00Z); "2027-01-15T08:00:00" has no timezone: add Z for UTC or an offset such as +02:00 (local time would differ from machine to machine)',
      )
    })

    it('uses the system clock without --now', async () => {
      const token = mint({ iat: 1_000_000_000, nbf: 1_000_000_000, exp: 4_102_444_800 })
      const run = await doctor([
        token,
        '--issuer',
        issuer,
        '--audience',
        audience,
        '--jwks',
        jwksPath,
      ])
      assert.equal(run.status, 0, run.stdout)
    })
  })

  describe('remote keys', () => {
    async function startIdp(t: { after(fn: () => unknown): void }): Promise<string> {
      let origin = ''
      const server = await startLoopbackServer(t, (req, res) => {
        if (req.url === '/.well-known/openid-configuration')
          sendJson(res, { issuer: origin, jwks_uri: `${origin}/jwks` })
        else if (req.url === '/jwks') sendJson(res, jwksOf(key))
        else sendJson(res, { error: 'not found' }, 404)
      })
      origin = server.origin
      return origin
    }

    it('fetches keys from a JWKS URL', async (t) => {
      const origin = await startIdp(t)
      const run = await doctor([
        mint({ iss: origin }),
        '--issuer',
        origin,
        '--audience',
        audience,
        '--now',
        String(now),
        '--jwks',
        `${origin}/jwks`,
      ])
      assert.equal(run.status, 0, run.stdout)
      assert.ok(run.lines[0]?.includes(`keys from JWKS URL ${origin}/jwks`))
    })

    it('reports an unreachable JWKS URL as a failed key check, exit 1', async () => {
      const origin = await closedPortOrigin()
      const run = await doctor([validToken, ...base, '--jwks', `${origin}/jwks`])
      assert.equal(run.status, 1)
      assert.ok(
        run.lines.includes(
          `  ✗ key         jwks_unavailable: could not fetch JWKS "${origin}/jwks": connection refused`,
        ),
        run.stdout,
      )
      assert.ok(run.lines.includes('  – signature   skipped: key did not pass'))
    })

    it('fetches keys through discovery with --discovery', async (t) => {
      const origin = await startIdp(t)
      const run = await doctor([
        mint({ iss: origin }),
        '--issuer',
        origin,
        '--audience',
        audience,
        '--now',
        String(now),
        '--discovery',
      ])
      assert.equal(run.status, 0, run.stdout)
      assert.ok(run.lines[0]?.includes('keys from discovery,'))
    })

    it('falls back to discovery when no key source is given', async (t) => {
      const origin = await startIdp(t)
      const run = await doctor([
        mint({ iss: origin }),
        '--issuer',
        origin,
        '--audience',
        audience,
        '--now',
        String(now),
      ])
      assert.equal(run.status, 0, run.stdout)
      assert.ok(run.lines[0]?.includes('keys from discovery (no --jwks given),'))
    })
  })
})

describe('tessera doctor token with cloud configurations', () => {
  const gh = generateTestKey('RS256', 'gh-1')
  const ghJwks = file('gh-jwks.json', JSON.stringify(jwksOf(gh)))
  const ghToken = (changes: Record<string, unknown> = {}, k: TestKey = gh): string =>
    signJwt(k, githubClaims(changes))
  const f = (name: FixtureName): string => fixturePath(name)
  const aws = (provider: FixtureName = 'aws-provider.json'): string[] => [
    '--aws-provider',
    f(provider),
    '--aws-trust-policy',
    f('aws-trust-policy.json'),
  ]
  const cloudDoctor = (token: string, ...args: string[]): Promise<Run> =>
    doctor([token, '--jwks', ghJwks, '--now', String(now), ...args])
  const gcpName =
    'projects/123456789012/locations/global/workloadIdentityPools/ci/providers/payments'

  interface CloudJson {
    readonly accepted: boolean
    readonly code?: string
    readonly message?: string
    readonly explanation?: {
      readonly code: string
      readonly check: string
      readonly expected?: string | string[]
      readonly actual?: string | string[]
      readonly hint?: string
    }
    readonly failures?: readonly unknown[]
  }
  const cloudJson = (run: Run): { valid: boolean; cloud: Record<string, CloudJson> } =>
    JSON.parse(run.stdout) as { valid: boolean; cloud: Record<string, CloudJson> }

  it('accepts for AWS without --issuer and --audience: the provider supplies them', async () => {
    const run = await cloudDoctor(ghToken(), ...aws())
    assert.equal(run.status, 0, run.stdout)
    assert.ok(
      run.lines.includes(`  ✓ issuer      iss "https://token.actions.githubusercontent.com"`),
    )
    assert.ok(run.lines.includes('  ✓ signature'))
    assert.deepEqual(run.lines.slice(-2), ['clouds:', '  ✓ aws: accepted'])
  })

  it('names a trailing slash in the provider URL, in text and JSON', async () => {
    const run = await cloudDoctor(ghToken(), ...aws('aws-provider-trailing-slash.json'))
    assert.equal(run.status, 1)
    const at = run.lines.indexOf(
      '  ✗ aws: InvalidIdentityToken: No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    )
    assert.ok(at > 0, run.stdout)
    assert.deepEqual(run.lines.slice(at + 1, at + 2), ['      clause:   aws.provider.Url'])
    assert.ok(run.lines.includes('      hint:     trailing_slash'))
    const json = cloudJson(
      await cloudDoctor(ghToken(), ...aws('aws-provider-trailing-slash.json'), '--json'),
    )
    assert.equal(json.valid, false)
    assert.deepEqual(
      { ...json.cloud.aws, failures: undefined },
      {
        accepted: false,
        code: 'InvalidIdentityToken',
        message:
          'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
        explanation: {
          code: 'issuer_mismatch',
          check: 'aws.provider.Url',
          message:
            'iss "https://token.actions.githubusercontent.com" is not the provider\'s URL "https://token.actions.githubusercontent.com/" (IAM stores it as "token.actions.githubusercontent.com/"): the values differ only by a trailing slash',
          expected: 'https://token.actions.githubusercontent.com/',
          actual: 'https://token.actions.githubusercontent.com',
          hint: 'trailing_slash',
        },
        failures: undefined,
      },
    )
  })

  it('names an aud that is not in the client-id list', async () => {
    const run = await cloudDoctor(ghToken({ aud: 'https://github.com/acme' }), ...aws(), '--json')
    assert.equal(run.status, 1)
    const { aws: verdict } = cloudJson(run).cloud
    assert.equal(verdict?.code, 'InvalidIdentityToken')
    assert.equal(verdict?.message, 'Incorrect token audience')
    assert.equal(verdict?.explanation?.code, 'audience_mismatch')
    assert.equal(verdict?.explanation?.check, 'aws.provider.ClientIDList')
  })

  it('exits 1 when only the trust policy rejects: a StringLike on sub that misses the ref', async () => {
    const run = await cloudDoctor(
      ghToken({ sub: 'repo:acme/payments:ref:refs/heads/release' }),
      ...aws(),
    )
    assert.equal(run.status, 1)
    assert.ok(run.lines.includes('valid: every check passed'), 'the token itself is fine')
    assert.ok(
      run.lines.includes(
        '  ✗ aws: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity',
      ),
    )
    assert.ok(
      run.lines.includes(
        '      clause:   aws.trust_policy.Statement[0] (Sid "GitHubActionsDeploy").Condition.StringLike["token.actions.githubusercontent.com:sub"]',
      ),
      run.stdout,
    )
  })

  it('checks --role-session-name as STS does', async () => {
    const run = await cloudDoctor(ghToken(), ...aws(), '--role-session-name', 'has space', '--json')
    assert.equal(run.status, 1)
    assert.equal(cloudJson(run).cloud.aws?.code, 'ValidationError')
  })

  it("accepts GCP's default audience and names the https: copy of a listed // audience", async () => {
    const ok = await cloudDoctor(
      ghToken({ aud: `https://iam.googleapis.com/${gcpName}` }),
      '--gcp-provider',
      f('gcp-provider-audiences.json'),
      '--audience',
      `https://iam.googleapis.com/${gcpName}`,
      '--json',
    )
    assert.equal(ok.status, 1)
    const verdict = cloudJson(ok).cloud.gcp
    assert.equal(verdict?.code, 'invalid_grant')
    assert.equal(verdict?.explanation?.hint, 'scheme')
    const good = await cloudDoctor(
      ghToken({ aud: `//iam.googleapis.com/${gcpName}` }),
      '--gcp-provider',
      f('gcp-provider-audiences.json'),
    )
    assert.equal(good.status, 0, good.stdout)
  })

  it('names the CEL attribute condition clause that fails', async () => {
    const run = await cloudDoctor(
      ghToken({
        aud: 'https://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github/providers/actions',
        ref: 'refs/heads/Main',
      }),
      '--gcp-provider',
      f('gcp-provider.json'),
    )
    assert.equal(run.status, 1)
    assert.ok(
      run.lines.includes(
        '  ✗ gcp: unauthorized_client: The given credential is rejected by the attribute condition.',
      ),
    )
    assert.ok(run.lines.includes('      clause:   gcp.provider.attributeCondition[clause 2 of 2]'))
    assert.ok(run.lines.includes('      hint:     case'))
  })

  it('names an Azure subject that differs only in case among several credentials', async () => {
    const run = await cloudDoctor(
      ghToken({ aud: 'api://AzureADTokenExchange', sub: 'repo:acme/payments:environment:prod' }),
      '--azure-fic',
      f('azure-fic-main.json'),
      '--azure-fic',
      f('azure-fic-prod.json'),
      '--json',
    )
    assert.equal(run.status, 1)
    const verdict = cloudJson(run).cloud.azure
    assert.equal(verdict?.code, 'AADSTS7002138')
    assert.equal(verdict?.explanation?.check, 'azure.fic["payments-prod"].subject')
    assert.equal(verdict?.explanation?.hint, 'case')
  })

  it('evaluates several clouds in one call: 0 when all accept, 1 when one rejects', async () => {
    const both = ['sts.amazonaws.com', 'api://AzureADTokenExchange']
    const args = [...aws(), '--azure-fic', f('azure-fic-main.json'), '--json']
    const all = await cloudDoctor(
      ghToken({ aud: both, sub: 'repo:Acme/payments:ref:refs/heads/main' }),
      ...args,
    )
    // AWS's StringLike is case-sensitive too: this subject is Entra's, not AWS's.
    assert.deepEqual(Object.keys(cloudJson(all).cloud), ['aws', 'azure'])
    assert.equal(cloudJson(all).cloud.azure?.accepted, true)
    assert.equal(cloudJson(all).cloud.aws?.accepted, false)
    assert.equal(all.status, 1)
    const azureFic = file(
      'fic-lower.json',
      JSON.stringify({
        ...JSON.parse(fixtureText('azure-fic-main.json')),
        subject: 'repo:acme/payments:ref:refs/heads/main',
      }),
    )
    const accepted = await cloudDoctor(
      ghToken({ aud: both }),
      ...aws(),
      '--azure-fic',
      azureFic,
      '--json',
    )
    assert.equal(accepted.status, 0, accepted.stdout)
    assert.deepEqual(cloudJson(accepted).cloud, {
      aws: { accepted: true },
      azure: { accepted: true },
    })
  })

  it('still verifies the signature: a token signed by another key is rejected though every cloud accepts', async () => {
    const other = generateTestKey('RS256', 'gh-1')
    const run = await cloudDoctor(ghToken({}, other), ...aws(), '--json')
    assert.equal(run.status, 1)
    const json = cloudJson(run) as unknown as {
      valid: boolean
      code: string
      cloud: Record<string, CloudJson>
    }
    assert.equal(json.valid, false)
    assert.equal(json.code, 'bad_signature')
    assert.deepEqual(json.cloud.aws, { accepted: true })
  })

  it('reports every cloud as not evaluated when the token cannot be decoded', async () => {
    const run = await cloudDoctor('not-a-token', ...aws(), '--json')
    assert.equal(run.status, 1)
    const verdict = cloudJson(run).cloud.aws
    assert.equal(verdict?.code, 'malformed')
    assert.match(verdict?.message ?? '', /^not evaluated: token has 1 segment/)
  })

  it('lets --issuer and --audience override what the configuration supplies', async () => {
    const run = await cloudDoctor(
      ghToken(),
      ...aws(),
      '--issuer',
      'https://other.example',
      '--audience',
      'x',
    )
    assert.equal(run.status, 1)
    assert.ok(run.lines.includes('  ✓ aws: accepted'))
  })

  it('refuses incomplete or invalid cloud flags with status 2', async () => {
    const lone = await doctor([ghToken(), '--aws-provider', f('aws-provider.json')])
    assertUsageError(
      lone,
      '--aws-provider and --aws-trust-policy go together: STS checks both the OIDC provider and the role',
    )
    const session = await doctor([ghToken(), ...base, '--role-session-name', 'x1'])
    assertUsageError(session, '--role-session-name needs --aws-provider and --aws-trust-policy')
    const many = await doctor([
      ghToken(),
      ...Array(21)
        .fill(['--azure-fic', f('azure-fic-main.json')])
        .flat(),
    ])
    assert.equal(many.status, 2)
    const broken = await doctor([
      ghToken(),
      '--gcp-provider',
      file('broken-gcp.json', '{"name": 1}'),
    ])
    assert.equal(broken.status, 2)
    assert.match(
      broken.stderr,
      /^tessera doctor token: invalid_config: GCP workload identity provider file ".*broken-gcp.json" is invalid: name: expected a non-empty string/,
    )
  })
})
