import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { initTemplate, parseConfig } from '../../config/index.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'
import { initUsage } from './init.ts'

const dir = mkdtempSync(join(tmpdir(), 'tessera-init-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function init(args: readonly string[]) {
  const output = memoryOutput()
  const status = await runCli(['init', ...args], output)
  return { status, stdout: output.stdout.join('\n'), stderr: output.stderr.join('\n') }
}

describe('tessera init', () => {
  it('writes the commented starting configuration, which loads as it is', async () => {
    const path = join(dir, 'first.yaml')
    const run = await init(['--output', path])
    assert.equal(run.status, 0)
    assert.equal(run.stdout, `wrote ${path}\nstart the server with: tessera up --config ${path}`)
    const text = readFileSync(path, 'utf8')
    assert.equal(text, initTemplate())
    assert.equal(parseConfig(text, path).issuer.issuerUrl, 'http://127.0.0.1:8080')
  })

  it('refuses to overwrite an existing file without --force', async () => {
    const path = join(dir, 'existing.yaml')
    writeFileSync(path, 'mine')
    const run = await init(['-o', path])
    assert.equal(run.status, 2)
    assert.equal(
      run.stderr,
      `tessera init: invalid_options: ${JSON.stringify(path)} exists: pass --force to overwrite it\n${initUsage}`,
    )
    assert.equal(readFileSync(path, 'utf8'), 'mine')
    const forced = await init(['-o', path, '--force'])
    assert.equal(forced.status, 0)
    assert.equal(readFileSync(path, 'utf8'), initTemplate())
  })

  it('reports a file it cannot write', async () => {
    const run = await init(['--output', join(dir, 'missing', 'dir', 'x.yaml')])
    assert.equal(run.status, 2)
    assert.match(run.stderr, /cannot write ".*x\.yaml": ENOENT/)
  })

  it('prints its usage with --help', async () => {
    const run = await init(['--help'])
    assert.equal(run.status, 0)
    assert.equal(run.stdout, initUsage)
  })
})
