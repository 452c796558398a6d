import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'

const root = resolve(import.meta.dirname, '../../../..')
const bin = join(root, 'packages/tessera/bin/tessera.js')

interface Result {
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the real `tessera` bin with this Node, from the repository root. */
function tessera(args: readonly string[]): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.on('error', fail)
    child.on('close', (status) => done({ status, stdout, stderr }))
  })
}

const flags = [
  '--issuer',
  'https://ci.tessera.example',
  '--audience',
  'https://api.example.com',
  '--jwks',
  'examples/doctor/jwks.json',
  '--now',
  '1800000060',
]

describe('the tessera bin on the bundled doctor example', () => {
  it('rejects examples/doctor/token.jwt with exit 1, naming the audience trailing slash', async () => {
    const result = await tessera(['doctor', 'token', '@examples/doctor/token.jwt', ...flags])
    assert.equal(result.status, 1, result.stderr)
    assert.ok(result.stdout.includes('audience_mismatch'), result.stdout)
    assert.ok(result.stdout.includes('trailing_slash'), result.stdout)
    const token = readFileSync(join(root, 'examples/doctor/token.jwt'), 'utf8').trim()
    assert.ok(!result.stdout.includes(token))
    assert.ok(!result.stdout.includes(token.split('.')[2] as string))
  })

  it('accepts examples/doctor/valid.jwt with exit 0', async () => {
    const result = await tessera(['doctor', 'token', '@examples/doctor/valid.jwt', ...flags])
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`)
    assert.ok(result.stdout.includes('valid: every check passed'), result.stdout)
  })
})
