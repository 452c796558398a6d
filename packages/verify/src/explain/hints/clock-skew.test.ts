import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { clockSkewLimitSeconds, detectClockSkew } from './clock-skew.ts'

describe('detectClockSkew', () => {
  it('reports a failure of less than five minutes beyond the leeway as clock skew', () => {
    assert.deepEqual(detectClockSkew(42), {
      id: 'clock_skew',
      words: '42 s beyond the leeway: this looks like clock skew between issuer and receiver',
    })
  })

  it('rounds fractions of a second up', () => {
    assert.equal(detectClockSkew(0.2)?.words.startsWith('1 s beyond'), true)
    assert.equal(detectClockSkew(299.5)?.words.startsWith('300 s beyond'), true)
  })

  it('returns undefined at or beyond five minutes', () => {
    assert.equal(clockSkewLimitSeconds, 300)
    assert.equal(detectClockSkew(300), undefined)
    assert.equal(detectClockSkew(86_400), undefined)
    assert.equal(detectClockSkew(Number.POSITIVE_INFINITY), undefined)
  })

  it('returns undefined for zero, negative and NaN inputs', () => {
    assert.equal(detectClockSkew(0), undefined)
    assert.equal(detectClockSkew(-5), undefined)
    assert.equal(detectClockSkew(Number.NaN), undefined)
  })

  it('fires exactly for seconds strictly between 0 and the limit', () => {
    fc.assert(
      fc.property(fc.double({ min: -1000, max: 1000, noNaN: true }), (seconds) => {
        const fires = detectClockSkew(seconds) !== undefined
        assert.equal(fires, seconds > 0 && seconds < clockSkewLimitSeconds)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})
