import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { createVerifier } from '@tessera/verify'
import {
  freePort,
  payments,
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { exchangeUsage } from './exchange.ts'

let fixture: TesseraFixture
before(async () => {
  fixture = await startTesseraFixture()
})
after(() => fixture.close())

async function cli(args: readonly string[], stdin?: NodeJS.ReadableStream) {
  const output = memoryOutput()
  const status = await runCli(args, output, stdin)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

/** join-token create → token mint, as the README session does. */
async function identityToken(name: string): Promise<string> {
  const join = await cli([
    'join-token',
    'create',
    '--spiffe-id',
    `spiffe://${trustDomain}/${name}`,
    '--config',
    fixture.configPath,
  ])
  const mint = await cli([
    'token',
    'mint',
    '--url',
    fixture.url,
    '--join-token',
    join.stdout,
    '--audience',
    fixture.url,
  ])
  assert.equal(mint.status, 0, mint.stderr)
  return mint.stdout
}

describe('tessera exchange', () => {
  it('discovers the token endpoint and prints only the access token', async () => {
    const run = await cli([
      'exchange',
      '--url',
      fixture.url,
      '--subject-token',
      await identityToken('ex'),
      '--audience',
      payments,
      '--scope',
      'payments.read',
    ])
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stderr, '')
    const verifier = createVerifier({
      issuers: [{ issuer: fixture.url, discovery: true }],
      audience: payments,
      typ: 'at+jwt',
    })
    const verified = await verifier.verify(run.stdout)
    assert.equal(verified.claims.sub, `spiffe://${trustDomain}/ex`)
    assert.equal(verified.claims.scope, 'payments.read')
  })

  it('prints the whole RFC 8693 response with --json, reading the token from stdin', async () => {
    const token = await identityToken('json')
    const run = await cli(
      ['exchange', '--url', fixture.url, '--subject-token', '-', '--audience', payments, '--json'],
      Readable.from([`${token}\n`]),
    )
    assert.equal(run.status, 0, run.stderr)
    const body = JSON.parse(run.stdout) as Record<string, unknown>
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token')
    assert.equal(typeof body.access_token, 'string')
  })

  it('exits 1 and explains a refusal: code, hint, expected and actual, correlation id', async () => {
    const run = await cli([
      'exchange',
      '--url',
      fixture.url,
      '--subject-token',
      await identityToken('deny'),
      '--audience',
      `${payments}/`,
    ])
    assert.equal(run.status, 1)
    assert.equal(run.stdout, '')
    const lines = run.stderr.split('\n')
    assert.match(lines[0] ?? '', /^tessera exchange: target_not_allowed: /)
    assert.ok(
      lines.includes('  hint:     trailing_slash (one value is the other plus one final "/")'),
    )
    assert.match(lines.at(-1) ?? '', /^ {2}correlation id: /)
  })

  it('prints the error body on stdout with --json, still exiting 1', async () => {
    const run = await cli([
      'exchange',
      '--url',
      fixture.url,
      '--subject-token',
      'not.a.token',
      '--audience',
      payments,
      '--json',
    ])
    assert.equal(run.status, 1)
    const body = JSON.parse(run.stdout) as Record<string, unknown>
    assert.equal(body.error, 'invalid_grant')
    assert.equal(body.code, 'malformed')
  })

  it('sends actor tokens with their type, and refuses a type without a token', async () => {
    const subject = await identityToken('subj')
    const actor = await identityToken('actor')
    const run = await cli([
      'exchange',
      '--url',
      fixture.url,
      '--subject-token',
      subject,
      '--actor-token',
      actor,
      '--audience',
      payments,
    ])
    // No policy allows delegation here: the server saw the actor and refused by policy.
    assert.equal(run.status, 1)
    assert.match(run.stderr, /^tessera exchange: actor_not_allowed: /)
    const usage = await cli([
      'exchange',
      '--url',
      fixture.url,
      '--subject-token',
      subject,
      '--actor-token-type',
      'x',
      '--audience',
      payments,
    ])
    assert.equal(usage.status, 2)
    assert.ok(usage.stderr.includes('--actor-token-type needs --actor-token'))
  })

  it('exits 1 when the discovery document has no usable token endpoint', async (t) => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ issuer: 'x', token_endpoint: 'ftp://elsewhere' }))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const run = await cli([
      'exchange',
      '--url',
      url,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(run.status, 1)
    assert.equal(
      run.stderr,
      `tessera exchange: the discovery document "${url}/.well-known/openid-configuration" has no usable token_endpoint: expected an http or https URL, got "ftp://elsewhere"`,
    )
  })

  it('exits 1 with the server error when discovery fails, and refuses a token_endpoint that is not a URL', async (t) => {
    let answer: { status: number; body: unknown } = {
      status: 404,
      body: { code: 'invalid_request', message: 'no endpoint' },
    }
    const server = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(answer.body))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const missing = await cli([
      'exchange',
      '--url',
      url,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(missing.status, 1)
    assert.equal(missing.stderr, 'tessera exchange: invalid_request: no endpoint')
    answer = { status: 200, body: { token_endpoint: 'not a url' } }
    const broken = await cli([
      'exchange',
      '--url',
      url,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(broken.status, 1)
    assert.ok(broken.stderr.endsWith('got "not a url"'), broken.stderr)
  })

  it('exits 1 when the server answers something that is not JSON, or too much', async (t) => {
    let body = 'not json'
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(body)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    t.after(() => server.close())
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const run = await cli([
      'exchange',
      '--url',
      url,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(run.status, 1)
    assert.ok(run.stderr.endsWith('HTTP 200 with a body that is not JSON: "not json"'), run.stderr)
    body = 'x'.repeat(1024 * 1024 + 1)
    const big = await cli([
      'exchange',
      '--url',
      url,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(big.status, 1)
    assert.ok(big.stderr.endsWith('response is larger than 1048576 bytes'), big.stderr)
  })

  it('exits 1 when no server answers', async () => {
    const port = await freePort()
    const run = await cli([
      'exchange',
      '--url',
      `http://127.0.0.1:${port}`,
      '--subject-token',
      'a.b.c',
      '--audience',
      payments,
    ])
    assert.equal(run.status, 1)
    assert.match(run.stderr, /cannot exchange: .*connection refused/)
  })

  it('refuses bad usage with exit 2', async () => {
    const noAudience = await cli(['exchange', '--url', fixture.url, '--subject-token', 'a.b.c'])
    assert.equal(noAudience.status, 2)
    assert.ok(noAudience.stderr.includes('--audience (or --resource) is required'))
    const noToken = await cli(['exchange', '--url', fixture.url, '--audience', payments])
    assert.equal(noToken.status, 2)
    assert.ok(noToken.stderr.includes('missing token'))
  })

  it('prints its usage with --help', async () => {
    const run = await cli(['exchange', '--help'])
    assert.equal(run.stdout, exchangeUsage)
  })
})
