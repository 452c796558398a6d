import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { escapeToken, pointer, tokensOf } from './json-pointer.ts'

describe('JSON pointers (RFC 6901)', () => {
  it('builds, escapes and splits pointers', () => {
    assert.equal(pointer('policies', 0, 'claims', 'a/b~c'), '/policies/0/claims/a~1b~0c')
    assert.equal(pointer(), '')
    assert.equal(escapeToken('~/'), '~0~1')
    assert.deepEqual(tokensOf('/policies/0/claims/a~1b~0c'), ['policies', '0', 'claims', 'a/b~c'])
    assert.deepEqual(tokensOf(''), [])
  })
})
