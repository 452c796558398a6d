import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  startTesseraFixture,
  type TesseraFixture,
  trustDomain,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { joinTokenCreateUsage } from './join-token.ts'

let fixture: TesseraFixture
before(async () => {
  fixture = await startTesseraFixture()
})
after(() => fixture.close())

async function create(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(['join-token', 'create', ...args], output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

async function redeem(joinToken: string): Promise<Response> {
  return fetch(`${fixture.url}/v1/identity/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ joinToken, audience: fixture.url }),
  })
}

describe('tessera join-token create', () => {
  it('prints only the token on stdout; the running server redeems it once', async () => {
    const spiffeId = `spiffe://${trustDomain}/cli`
    const run = await create([
      '--spiffe-id',
      spiffeId,
      '--ttl',
      '60',
      '--config',
      fixture.configPath,
    ])
    assert.equal(run.status, 0)
    assert.match(run.stdout, /^tjt_[A-Za-z0-9_-]{43}$/)
    assert.match(
      run.stderr,
      /^join token for spiffe:\/\/example\.org\/cli, single use, expires \d{4}-\d\d-\d\dT/,
    )
    const first = await redeem(run.stdout)
    assert.equal(first.status, 200)
    assert.equal(((await first.json()) as { sub: string }).sub, spiffeId)
    assert.equal((await redeem(run.stdout)).status, 400)
  })

  it('writes to the store named by --data-dir', async () => {
    const run = await create([
      '--spiffe-id',
      `spiffe://${trustDomain}/dd`,
      '--config',
      fixture.configPath,
      '--data-dir',
      fixture.dataDir,
    ])
    assert.equal(run.status, 0)
    assert.equal((await redeem(run.stdout)).status, 200)
  })

  it('refuses a SPIFFE ID outside the trust domain', async () => {
    const run = await create([
      '--spiffe-id',
      'spiffe://other.org/x',
      '--config',
      fixture.configPath,
    ])
    assert.equal(run.status, 2)
    assert.equal(run.stdout, '')
    assert.ok(
      run.stderr.startsWith(
        'tessera join-token create: invalid_options: --spiffe-id "spiffe://other.org/x" is not a SPIFFE ID in trust domain "example.org": expected spiffe://example.org/PATH',
      ),
    )
  })

  it('refuses a missing --spiffe-id and a --ttl out of range', async () => {
    const missing = await create(['--config', fixture.configPath])
    assert.equal(missing.status, 2)
    assert.ok(missing.stderr.includes('--spiffe-id is required'))
    const long = await create(['--spiffe-id', `spiffe://${trustDomain}/x`, '--ttl', '86401'])
    assert.equal(long.status, 2)
    assert.ok(long.stderr.includes('--ttl must be from 1 to 86400 seconds'))
    const word = await create(['--spiffe-id', `spiffe://${trustDomain}/x`, '--ttl', 'soon'])
    assert.equal(word.status, 2)
    assert.ok(word.stderr.includes('--ttl must be a whole number of seconds, got "soon"'))
  })

  it('refuses a configuration whose store is in memory', async () => {
    const path = join(fixture.dir, 'memory.yaml')
    writeFileSync(path, fixture.configText().replace('kind: sqlite', 'kind: memory'))
    const run = await create(['--spiffe-id', `spiffe://${trustDomain}/x`, '--config', path])
    assert.equal(run.status, 2)
    assert.ok(run.stderr.includes('store.kind is memory'))
  })

  it('reports an unreadable configuration with invalid_config', async () => {
    const run = await create([
      '--spiffe-id',
      `spiffe://${trustDomain}/x`,
      '--config',
      join(fixture.dir, 'none.yaml'),
    ])
    assert.equal(run.status, 2)
    assert.match(run.stderr, /^tessera join-token create: invalid_config: /)
  })

  it('prints its usage with --help', async () => {
    const run = await create(['--help'])
    assert.equal(run.stdout, joinTokenCreateUsage)
  })
})
