import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkImports, rules } from './check-imports.ts'

describe('tools/check-imports', () => {
  it('finds no import against the dependency direction', () => {
    assert.deepEqual(checkImports(), [])
  })

  it('keeps explain a leaf that imports nothing in the repository', () => {
    assert.deepEqual(rules['verify/explain'], [])
  })
})
