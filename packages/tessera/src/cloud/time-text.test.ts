import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isoTime } from './time-text.ts'

describe('isoTime', () => {
  it('prints epoch seconds as ISO 8601, and the number when no Date can hold it', () => {
    assert.equal(isoTime(1_800_000_000), '2027-01-15T08:00:00.000Z')
    assert.equal(isoTime(9e15), '9000000000000000')
  })
})
