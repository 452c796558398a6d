import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { writeStatusFile } from '../../../agent/index.ts'
import { runCli } from '../../main.ts'
import { memoryOutput } from '../../output/stream.ts'
import { agentUsage } from './agent.ts'
import { agentRunUsage } from './agent-run.ts'
import { runAgentStatus } from './agent-status.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-agent-cli-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function cli(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(args, output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

const config = join(dir, 'tessera-agent.yaml')
writeFileSync(
  config,
  'server: http://127.0.0.1:1\nattestation: { joinToken: env:J }\ntokens: [{ audience: a, file: t }, { audience: b, file: u }]\nstatus: { file: s.json }\n',
)

describe('tessera agent', () => {
  it('lists its subcommands; refuses a missing or unknown one with exit 2', async () => {
    assert.deepEqual(await cli(['agent', '--help']), { status: 0, stdout: agentUsage, stderr: '' })
    const missing = await cli(['agent'])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /missing subcommand/)
    const unknown = await cli(['agent', 'frob'])
    assert.match(unknown.stderr, /unknown subcommand "frob"/)
  })

  it('shows the subcommand usage on a usage error', async () => {
    const run = await cli(['agent', 'run'])
    assert.equal(run.status, 2)
    assert.ok(run.stderr.includes('invalid_options: --config is required'))
    assert.ok(run.stderr.endsWith(agentRunUsage))
    const flag = await cli(['agent', 'run', '--nope'])
    assert.equal(flag.status, 2)
    assert.ok(flag.stderr.endsWith(agentRunUsage))
    assert.equal((await cli(['agent', 'run', '-h'])).stdout, agentRunUsage)
    assert.equal((await cli(['agent', 'status', '--config'])).status, 2)
  })

  it('agent status prints each audience, its error and hint, and exits 1 when one has no valid token', async () => {
    await writeStatusFile(join(dir, 's.json'), {
      audiences: [
        {
          audience: 'a',
          file: join(dir, 't'),
          subject: 'spiffe://x/y',
          expiresAt: 2000,
          lastRefresh: 1700,
        },
        {
          audience: 'b',
          file: join(dir, 'u'),
          lastError: { code: 'upstream_unavailable', message: 'down', hint: 'check the server' },
        },
      ],
    })
    const output = memoryOutput()
    const status = await runAgentStatus(['--config', config], output, undefined, () => 1900)
    assert.equal(status, 1)
    const text = output.stdout.join('\n')
    assert.match(text, /expires +1970-01-01T00:33:20.000Z \(in 100 s\)/)
    assert.match(text, /last error +upstream_unavailable: down\n +hint +check the server/)
    assert.match(text, /expires +no token yet/)
    const later = memoryOutput()
    await runAgentStatus(['--config', config], later, undefined, () => 2100)
    assert.match(later.stdout.join('\n'), /expired 100 s ago/)
  })

  it('agent status refuses a missing or malformed status file with invalid_config, exit 2', async () => {
    const other = join(dir, 'other.yaml')
    writeFileSync(
      other,
      'server: http://x\nattestation: { joinToken: env:J }\ntokens: [{ audience: a, file: t }]\nstatus: { file: none.json }\n',
    )
    const missing = await cli(['agent', 'status', '--config', other])
    assert.equal(missing.status, 2)
    assert.match(missing.stderr, /invalid_config: .*ENOENT/)
    for (const content of ['not json', '{"audiences":[{"audience":1}]}']) {
      writeFileSync(join(dir, 'none.json'), content)
      const bad = await cli(['agent', 'status', '--config', other])
      assert.equal(bad.status, 2)
      assert.match(bad.stderr, /invalid_config/)
    }
  })
})
