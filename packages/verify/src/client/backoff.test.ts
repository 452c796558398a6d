import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { backoffCeiling, backoffDelay, defaultBackoff } from './backoff.ts'

describe('backoff', () => {
  it('doubles the ceiling from 1 s and caps it at 60 s by default', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 2000].map((n) => backoffCeiling(n, defaultBackoff))
    assert.deepEqual(ceilings, [1, 2, 4, 8, 16, 32, 60, 60, 60])
  })

  it('draws the wait uniformly below the ceiling (full jitter)', () => {
    const settings = { initialSeconds: 2, maxSeconds: 10, factor: 3 }
    assert.equal(
      backoffDelay(1, settings, () => 0),
      0,
    )
    assert.equal(
      backoffDelay(2, settings, () => 0.5),
      3,
    )
    assert.equal(
      backoffDelay(3, settings, () => 0.5),
      5,
    )
  })
})
