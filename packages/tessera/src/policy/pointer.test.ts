import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { pointer } from './pointer.ts'

describe('pointer', () => {
  it('joins segments as an RFC 6901 JSON pointer, escaping ~ and /', () => {
    assert.equal(pointer('policies', 2, 'claims', 'a/b~c'), '/policies/2/claims/a~1b~0c')
    assert.equal(pointer(), '')
  })
})
