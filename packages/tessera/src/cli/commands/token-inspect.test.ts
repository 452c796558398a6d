import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { generateTestKey, signJwt } from '../../../../verify/test/support/token-factory.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { runTokenInspect, tokenInspectUsage } from './token-inspect.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-token-inspect-'))
after(() => rmSync(dir, { recursive: true, force: true }))

const key = generateTestKey('ES256', 'ci-1')
const claims = {
  iss: 'https://ci.tessera.example',
  sub: 'repo:acme/payments',
  aud: 'https://api.example.com',
  iat: 1_800_000_000,
  nbf: 1_800_000_000,
  exp: 1_800_000_300,
}
const token = signJwt(key, claims)
const signature = token.split('.')[2] as string
const signatureBytes = Buffer.from(signature, 'base64url')
const signatureSha = createHash('sha256').update(signatureBytes).digest('hex').slice(0, 16)

interface Run {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
  readonly lines: readonly string[]
}

async function inspect(args: readonly string[], stdin?: NodeJS.ReadableStream): Promise<Run> {
  const output = memoryOutput()
  const status = await runCli(['token', 'inspect', ...args], output, stdin)
  return {
    status,
    stdout: output.stdout.join('\n'),
    stderr: output.stderr.join('\n'),
    lines: output.stdout.flatMap((l) => l.split('\n')),
  }
}

describe('tessera token inspect', () => {
  it('says NOT VERIFIED first, then prints the header and the claims', async () => {
    const run = await inspect([token])
    assert.equal(run.status, 0)
    assert.equal(
      run.lines[0],
      'NOT VERIFIED: decoded only; the signature and claims have not been checked',
    )
    assert.ok(
      run.stdout.includes(
        `header: ${JSON.stringify({ alg: 'ES256', kid: 'ci-1', typ: 'JWT' }, null, 2)}`,
      ),
    )
    assert.ok(run.stdout.includes(`claims: ${JSON.stringify(claims, null, 2)}`))
  })

  it('prints the time claims as ISO dates next to their values', async () => {
    const run = await inspect([token])
    assert.ok(run.lines.includes('iat: 2027-01-15T08:00:00.000Z (1800000000)'))
    assert.ok(run.lines.includes('nbf: 2027-01-15T08:00:00.000Z (1800000000)'))
    assert.ok(run.lines.includes('exp: 2027-01-15T08:05:00.000Z (1800000300)'))
  })

  it('prints no time lines for a token without time claims', async () => {
    const bare = await inspect([signJwt(key, { iss: 'x' })])
    assert.equal(bare.status, 0)
    assert.ok(!bare.lines.some((l) => /^(iat|nbf|exp): /.test(l)))
  })

  it('describes the signature by size and digest, never showing it', async () => {
    const run = await inspect([token])
    assert.equal(
      run.lines.at(-1),
      `signature: ${signatureBytes.length} bytes, sha256 ${signatureSha}… (not shown)`,
    )
    assert.ok(!run.stdout.includes(signature))
    assert.ok(!run.stdout.includes(token))
  })

  it('prints one JSON object with verified: false, the header, the claims and a signature digest', async () => {
    const run = await inspect([token, '--json'])
    assert.equal(run.status, 0)
    assert.equal(run.lines.length, 1)
    assert.deepEqual(JSON.parse(run.stdout), {
      verified: false,
      header: { alg: 'ES256', kid: 'ci-1', typ: 'JWT' },
      claims,
      signature: { bytes: signatureBytes.length, sha256: signatureSha },
    })
    assert.ok(!run.stdout.includes(signature))
  })

  it('reads the token from @FILE and from standard input, dropping one trailing newline', async () => {
    const path = join(dir, 'token.jwt')
    writeFileSync(path, `${token}\n`)
    const fromFile = await inspect([`@${path}`, '--json'])
    assert.equal(fromFile.status, 0)
    assert.equal((JSON.parse(fromFile.stdout) as { verified: boolean }).verified, false)
    const fromStdin = await inspect(['-', '--json'], Readable.from([`${token}\n`]))
    assert.equal(fromStdin.stdout, fromFile.stdout)
  })

  it('accepts tokens far larger than the verifier default, up to 1 MiB', async () => {
    const big = signJwt(key, { ...claims, blob: 'x'.repeat(100_000) })
    const run = await inspect([big, '--json'])
    assert.equal(run.status, 0)
    const tooBig = await inspect([signJwt(key, { blob: 'x'.repeat(1024 * 1024) })])
    assert.equal(tooBig.status, 2)
    assert.match(
      tooBig.stderr,
      /^tessera token inspect: too_large: token is \d+ bytes, more than the limit of 1048576$/,
    )
  })

  it('exits 2 with the decoding error for a malformed token', async () => {
    const run = await inspect(['abc'])
    assert.equal(run.status, 2)
    assert.equal(run.stdout, '')
    assert.equal(
      run.stderr,
      'tessera token inspect: malformed: token has 1 segment, expected 3 (header.payload.signature)',
    )
  })

  it('throws the decoding error itself when run directly', async () => {
    await assert.rejects(
      runTokenInspect([`${token}.x.y`], memoryOutput()),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'malformed' &&
        error.message === 'token is a JWE (5 segments): encrypted tokens are not accepted',
    )
  })

  it('refuses more than one token and a missing token', async () => {
    const two = await inspect([token, token])
    assert.equal(two.status, 2)
    assert.equal(
      two.stderr,
      `tessera token inspect: invalid_options: expected one token argument, got 2\n${tokenInspectUsage}`,
    )
    const none = await inspect([])
    assert.equal(none.status, 2)
    assert.equal(
      none.stderr,
      `tessera token inspect: invalid_options: missing token: pass TOKEN, @FILE or - for standard input\n${tokenInspectUsage}`,
    )
  })

  it('prints its usage with --help', async () => {
    const run = await inspect(['--help'])
    assert.equal(run.status, 0)
    assert.equal(run.stdout, tokenInspectUsage)
  })

  it('prints a token whose exp is beyond the JavaScript date range instead of crashing', async () => {
    const run = await inspect([signJwt(key, { ...claims, exp: 9e12 })])
    assert.equal(run.status, 0)
    assert.ok(run.stdout.includes('"exp": 9000000000000'))
  })
})
