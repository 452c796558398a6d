import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { listWords } from './list-words.ts'

describe('listWords', () => {
  it('joins phrases as prose', () => {
    assert.equal(listWords([]), '')
    assert.equal(listWords(['a']), 'a')
    assert.equal(listWords(['a', 'b']), 'a and b')
    assert.equal(listWords(['a', 'b', 'c']), 'a, b and c')
  })
})
