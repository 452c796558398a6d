import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { errorCodes } from '../packages/verify/src/index.ts'
import { staleDocs } from './check-generated.ts'

const errorsDoc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')

describe('docs/errors.md', () => {
  it('is exactly what the code table generates', () => {
    assert.deepEqual(staleDocs(), [])
  })

  it('documents every code in the table and no code that is not in it', () => {
    const codeSection = errorsDoc.slice(0, errorsDoc.indexOf('## Near-miss hints'))
    const documented = [...codeSection.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])
    assert.deepEqual(documented, [...errorCodes])
  })
})
