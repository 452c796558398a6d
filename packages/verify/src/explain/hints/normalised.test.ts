import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { hintIfEqual } from './normalised.ts'

describe('hintIfEqual', () => {
  it('returns the hint when the step made the values equal', () => {
    assert.deepEqual(hintIfEqual('case', { expected: 'a', actual: 'a', phrase: 'letter case' }), {
      id: 'case',
      words: 'the values differ only by letter case',
    })
  })

  it('returns undefined when the step did not apply or left a difference', () => {
    assert.equal(hintIfEqual('case', undefined), undefined)
    assert.equal(
      hintIfEqual('case', { expected: 'a', actual: 'b', phrase: 'letter case' }),
      undefined,
    )
  })
})
