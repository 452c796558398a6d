import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import {
  captureLog,
  freePort,
  writeFixtureConfig,
} from '../../server/http/testing/tessera-fixture.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { runUp, upUsage } from './up.ts'

describe('tessera up', () => {
  it('serves until told to stop, printing the endpoints and a ready-to-paste session', async (t) => {
    const files = await writeFixtureConfig()
    t.after(() => files.remove())
    const output = memoryOutput()
    const log = captureLog()
    let healthy = 0
    const status = await runUp(['--config', files.configPath], output, undefined, {
      logger: log.logger,
      stopped: async (running) => {
        healthy = (await fetch(`${running.url}/healthz`)).status
      },
    })
    assert.equal(status, 0)
    assert.equal(healthy, 200)
    const url = files.url
    assert.deepEqual(output.stdout, [
      'tessera is up',
      `  issuer     ${url}`,
      `  discovery  ${url}/.well-known/openid-configuration`,
      `  token      ${url}/oauth2/token`,
      `  jwks       ${url}/.well-known/jwks.json`,
      '',
      'try it from another shell:',
      `  JOIN=$(tessera join-token create --spiffe-id spiffe://example.org/demo --config ${files.configPath})`,
      `  ID=$(tessera token mint --url ${url} --join-token "$JOIN" --audience ${url})`,
      `  tessera exchange --url ${url} --subject-token "$ID" --audience https://payments.example.org`,
      '',
      'stop with Ctrl-C (in-flight requests finish first)',
    ])
    assert.deepEqual(output.stderr, ['tessera: stopping (in-flight requests finish first)'])
    assert.ok(log.lines.some((l) => l.msg === 'tessera stopped'))
  })

  it('stops gracefully on SIGINT or SIGTERM when no stop hook is given', async (t) => {
    const files = await writeFixtureConfig()
    t.after(() => files.remove())
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const listeners = process.listenerCount(signal)
      const lines: string[] = []
      const output = {
        ...memoryOutput(),
        out: (line: string) => {
          lines.push(line)
          // The banner's last line is printed right before the command waits for a signal;
          // the wait is set up synchronously after it, so a microtask later it is listening.
          if (line.startsWith('stop with Ctrl-C'))
            queueMicrotask(() => process.emit(signal, signal))
        },
      }
      const status = await runUp(['--config', files.configPath], output, undefined, {
        logger: captureLog().logger,
      })
      assert.equal(status, 0)
      assert.equal(process.listenerCount(signal), listeners, 'handlers removed')
    }
  })

  it('takes --listen and --data-dir over the file and repeats them in the example', async (t) => {
    const files = await writeFixtureConfig()
    t.after(() => files.remove())
    const port = await freePort()
    const dataDir = join(files.dir, 'elsewhere')
    const output = memoryOutput()
    await runUp(
      ['--config', files.configPath, '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir],
      output,
      undefined,
      { logger: captureLog().logger, stopped: async () => {} },
    )
    assert.ok(output.stdout.includes(`  listening  http://127.0.0.1:${port}`))
    assert.ok(
      output.stdout.some((l) => l.endsWith(`--config ${files.configPath} --data-dir ${dataDir})`)),
    )
    // The example calls this process, not the issuer URL (which names the file's port).
    const mint = output.stdout.find((l) => l.includes('tessera token mint'))
    assert.ok(mint?.includes(`--url http://127.0.0.1:${port} `), mint)
  })

  it('the printed session works: join token, mint, exchange', async (t) => {
    const files = await writeFixtureConfig()
    t.after(() => files.remove())
    const output = memoryOutput()
    let exchanged = ''
    await runUp(['--config', files.configPath], output, undefined, {
      logger: captureLog().logger,
      stopped: async () => {
        const run = async (argv: string[]) => {
          const out = memoryOutput()
          const status = await runCli(argv, out)
          assert.equal(status, 0, out.stderr.join('\n'))
          return out.stdout.join('\n')
        }
        const words = (line: string) =>
          (line.match(/\$\((.*)\)$/)?.[1] ?? line).trim().split(' ').slice(1)
        const [joinLine, mintLine, exchangeLine] = output.stdout.slice(7, 10) as [
          string,
          string,
          string,
        ]
        const join = await run(words(joinLine))
        const id = await run(words(mintLine).map((w) => (w === '"$JOIN"' ? join : w)))
        exchanged = await run(words(exchangeLine).map((w) => (w === '"$ID"' ? id : w)))
      },
    })
    assert.equal(exchanged.split('.').length, 3)
  })

  it('exits 2 with every problem for an invalid configuration', async (t) => {
    const files = await writeFixtureConfig()
    t.after(() => files.remove())
    const path = join(files.dir, 'broken.yaml')
    writeFileSync(path, `${files.configText()}extra: 1\nmore: 2\n`)
    const output = memoryOutput()
    const status = await runCli(['up', '--config', path], output)
    assert.equal(status, 2)
    assert.match(output.stderr[0] ?? '', /^tessera up: invalid_config: /)
    assert.ok(output.stderr.some((l) => l.startsWith('  /extra')))
    assert.ok(output.stderr.some((l) => l.startsWith('  /more')))
  })

  it('prints its usage with --help', async () => {
    const output = memoryOutput()
    assert.equal(await runCli(['up', '--help'], output), 0)
    assert.equal(output.stdout.join('\n'), upUsage)
  })
})
