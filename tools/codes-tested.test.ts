// Every stable code must be asserted by at least one test somewhere in the repository, so a
// code added to the table without a test fails here (CONVENTIONS §4.13).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { errorCodes } from '../packages/verify/src/index.ts'

const root = fileURLToPath(new URL('..', import.meta.url))

function* testFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* testFiles(path)
    else if (name.endsWith('.test.ts')) yield path
  }
}

describe('error codes', () => {
  it('are each asserted as a literal by at least one test in packages/', () => {
    const text = [...testFiles(join(root, 'packages'))]
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    const untested = errorCodes.filter((code) => !text.includes(`'${code}'`))
    assert.deepEqual(untested, [])
  })
})
