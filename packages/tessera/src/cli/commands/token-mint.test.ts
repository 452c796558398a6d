import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { createVerifier, decodeJwt } from '@tessera/verify'
import {
  freePort,
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { tokenMintUsage } from './token-mint.ts'

let fixture: TesseraFixture
before(async () => {
  fixture = await startTesseraFixture()
})
after(() => fixture.close())

async function cli(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(args, output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

async function newJoinToken(name: string): Promise<string> {
  const run = await cli([
    'join-token',
    'create',
    '--spiffe-id',
    `spiffe://${trustDomain}/${name}`,
    '--config',
    fixture.configPath,
  ])
  assert.equal(run.status, 0, run.stderr)
  return run.stdout
}

describe('tessera token mint', () => {
  it('prints only the identity token, which verifies with the issuer keys', async () => {
    const joinToken = await newJoinToken('mint')
    const run = await cli([
      'token',
      'mint',
      '--url',
      `${fixture.url}/`,
      '--join-token',
      joinToken,
      '--audience',
      fixture.url,
      '--ttl',
      '60',
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stderr, '')
    assert.equal(run.stdout.split('.').length, 3)
    const verifier = createVerifier({
      issuers: [{ issuer: fixture.url, discovery: true }],
      audience: fixture.url,
    })
    const verified = await verifier.verify(run.stdout)
    assert.equal(verified.claims.sub, `spiffe://${trustDomain}/mint`)
    assert.equal((verified.claims.exp as number) - (verified.claims.iat as number), 60)
  })

  it('reads the join token from a file', async () => {
    const path = join(fixture.dir, 'join.txt')
    writeFileSync(path, `${await newJoinToken('file')}\n`)
    const run = await cli([
      'token',
      'mint',
      '--url',
      fixture.url,
      '--join-token',
      `@${path}`,
      '--audience',
      fixture.url,
    ])
    assert.equal(run.status, 0, run.stderr)
  })

  it('exits 1 with the code, message and correlation id when the server refuses', async () => {
    const run = await cli([
      'token',
      'mint',
      '--url',
      fixture.url,
      '--join-token',
      `tjt_${'A'.repeat(43)}`,
      '--audience',
      fixture.url,
    ])
    assert.equal(run.status, 1)
    assert.equal(run.stdout, '')
    const lines = run.stderr.split('\n')
    assert.match(lines[0] ?? '', /^tessera token mint: join_token_invalid: /)
    assert.match(lines.at(-1) ?? '', /^ {2}correlation id: [0-9a-f-]{36}$/)
  })

  it('exits 1 when an upstream token is not allowed by an identity policy', async () => {
    const minted = await cli([
      'token',
      'mint',
      '--url',
      fixture.url,
      '--join-token',
      await newJoinToken('upstream'),
      '--audience',
      fixture.url,
    ])
    const path = join(fixture.dir, 'id.jwt')
    writeFileSync(path, minted.stdout)
    const run = await cli([
      'token',
      'mint',
      '--url',
      fixture.url,
      '--token',
      `@${path}`,
      '--audience',
      fixture.url,
    ])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^tessera token mint: no_matching_policy: /)
    assert.ok(!run.stderr.includes(minted.stdout))
  })

  it('exits 1 when no server answers', async () => {
    const port = await freePort()
    const run = await cli([
      'token',
      'mint',
      '--url',
      `http://127.0.0.1:${port}`,
      '--join-token',
      'x',
      '--audience',
      'a',
    ])
    assert.equal(run.status, 1)
    assert.equal(
      run.stderr,
      `tessera token mint: cannot mint: "http://127.0.0.1:${port}/v1/identity/token": connection refused (is tessera up running?)`,
    )
  })

  it('refuses bad usage with exit 2', async () => {
    const cases: [string[], string][] = [
      [['--join-token', 'x', '--audience', 'a'], '--url is required'],
      [
        ['--url', 'ftp://x', '--join-token', 'x', '--audience', 'a'],
        'must be an http or https URL',
      ],
      [['--url', fixture.url, '--audience', 'a'], '--join-token or --token is required'],
      [
        ['--url', fixture.url, '--join-token', 'x', '--token', 'y', '--audience', 'a'],
        'give either --join-token or --token, not both',
      ],
      [['--url', fixture.url, '--join-token', 'x'], '--audience is required'],
    ]
    for (const [args, message] of cases) {
      const run = await cli(['token', 'mint', ...args])
      assert.equal(run.status, 2, args.join(' '))
      assert.ok(run.stderr.includes(message), run.stderr)
    }
  })

  it('prints its usage with --help', async () => {
    const run = await cli(['token', 'mint', '--help'])
    assert.equal(run.stdout, tokenMintUsage)
  })

  it('mints tokens a JWT library decodes', async () => {
    const run = await cli([
      'token',
      'mint',
      '--url',
      fixture.url,
      '--join-token',
      await newJoinToken('decode'),
      '--audience',
      fixture.url,
    ])
    assert.equal(decodeJwt(run.stdout, 16 * 1024).header.typ, 'JWT')
  })
})
