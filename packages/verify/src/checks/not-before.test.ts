import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkNotBefore } from './not-before.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
}

function assertError(error: TesseraError | undefined, want: Want): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, 'expected a TesseraError')
  const { code, check, expected, actual, hint } = error
  assert.deepEqual({ code, check, expected, actual, hint }, want)
}

// 2027-01-15T08:00:00Z
const now = 1_800_000_000

describe('checkNotBefore', () => {
  it('accepts a token without nbf', () => {
    assert.equal(checkNotBefore(undefined, now, 60), undefined)
  })

  it('accepts nbf in the past or now', () => {
    assert.equal(checkNotBefore(now - 3600, now, 60), undefined)
    assert.equal(checkNotBefore(now, now, 0), undefined)
  })

  it('accepts nbf in the future within the leeway, up to its edge', () => {
    assert.equal(checkNotBefore(now + 60, now, 60), undefined)
  })

  it('rejects nbf one second beyond the leeway, hinting at clock skew', () => {
    const error = checkNotBefore(now + 61, now, 60)
    assertError(error, {
      code: 'not_yet_valid',
      check: 'not_before',
      expected: 'nbf at or before 2027-01-15T08:01:00Z',
      actual: 'nbf 2027-01-15T08:01:01Z',
      hint: 'clock_skew',
    })
    assert.equal(
      error.message,
      'nbf 2027-01-15T08:01:01Z is 61 s after now 2027-01-15T08:00:00Z (leeway 60 s): 1 s beyond the leeway: this looks like clock skew between issuer and receiver',
    )
  })

  it('rejects nbf in the future without leeway', () => {
    const error = checkNotBefore(now + 1, now, 0)
    assertError(error, {
      code: 'not_yet_valid',
      check: 'not_before',
      expected: 'nbf at or before 2027-01-15T08:00:00Z',
      actual: 'nbf 2027-01-15T08:00:01Z',
      hint: 'clock_skew',
    })
  })

  it('does not hint at clock skew five minutes or more beyond the leeway', () => {
    const error = checkNotBefore(now + 3600, now, 60)
    assertError(error, {
      code: 'not_yet_valid',
      check: 'not_before',
      expected: 'nbf at or before 2027-01-15T08:01:00Z',
      actual: 'nbf 2027-01-15T09:00:00Z',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'nbf 2027-01-15T09:00:00Z is 1 h after now 2027-01-15T08:00:00Z (leeway 60 s)',
    )
    assert.equal(checkNotBefore(now + 60 + 300, now, 60)?.hint, undefined)
    assert.equal(checkNotBefore(now + 60 + 299, now, 60)?.hint, 'clock_skew')
  })
})
