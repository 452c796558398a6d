import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import {
  startTesseraFixture,
  type TesseraFixture,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { keysListUsage, keysRevokeUsage, keysRotateUsage } from './keys.ts'

let fixture: TesseraFixture
before(async () => {
  fixture = await startTesseraFixture()
})
after(() => fixture.close())

async function keys(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(['keys', ...args, '--config', fixture.configPath], output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

interface Listed {
  kid: string
  state: string
  sealedPrivateKey?: unknown
}

async function listed(): Promise<Listed[]> {
  const run = await keys(['list', '--json'])
  assert.equal(run.status, 0, run.stderr)
  return JSON.parse(run.stdout) as Listed[]
}

describe('tessera keys', () => {
  it('lists the server key as a table and as JSON, never with private material', async () => {
    const table = await keys(['list'])
    assert.equal(table.status, 0)
    const [header, row] = table.stdout.split('\n')
    assert.match(header ?? '', /^KID +ALG +STATE +ACTIVATES +RETIRED +PUBLISHED UNTIL$/)
    assert.match(row ?? '', / ES256 +active +\d{4}-/)
    const json = await listed()
    assert.equal(json.length, 1)
    assert.equal(json[0]?.state, 'active')
    assert.equal(json[0]?.sealedPrivateKey, undefined)
    assert.ok(!table.stdout.includes('sealed'))
  })

  it('rotate pre-publishes a pending key; --immediate makes a new key active at once', async () => {
    const rotated = await keys(['rotate'])
    assert.equal(rotated.status, 0, rotated.stderr)
    assert.match(rotated.stdout, /^\S+ pending, signs from \d{4}-/)
    assert.deepEqual((await listed()).map((k) => k.state).sort(), ['active', 'pending'])
    const now = await keys(['rotate', '--immediate'])
    assert.equal(now.status, 0, now.stderr)
    assert.match(now.stdout, /^\S+ active, signs from /)
    assert.ok(now.stderr.includes('verifiers that cached the JWKS refresh it on the unknown kid'))
    const kid = now.stdout.split(' ')[0]
    assert.equal((await listed()).find((k) => k.state === 'active')?.kid, kid)
  })

  it('revoke unpublishes a key and replaces the active one', async () => {
    const active = (await listed()).find((k) => k.state === 'active')?.kid as string
    const run = await keys(['revoke', active])
    assert.equal(run.status, 0, run.stderr)
    const lines = run.stdout.split('\n')
    assert.equal(lines[0], `${active} revoked`)
    assert.match(lines[1] ?? '', / active \(replaces the revoked key\)$/)
    const after = await listed()
    assert.equal(after.find((k) => k.kid === active)?.state, 'revoked')
    assert.equal(after.filter((k) => k.state === 'active').length, 1)
  })

  it('refuses an unknown kid and a missing one with exit 2', async () => {
    const unknown = await keys(['revoke', 'no-such-kid'])
    assert.equal(unknown.status, 2)
    assert.ok(unknown.stderr.includes('no signing key "no-such-kid"'))
    const missing = await keys(['revoke'])
    assert.equal(missing.status, 2)
    assert.ok(missing.stderr.includes('expected one KID, got 0'))
  })

  it('prints each usage with --help', async () => {
    assert.equal((await keys(['list', '--help'])).stdout, keysListUsage)
    assert.equal((await keys(['rotate', '--help'])).stdout, keysRotateUsage)
    assert.equal((await keys(['revoke', '--help'])).stdout, keysRevokeUsage)
  })
})
