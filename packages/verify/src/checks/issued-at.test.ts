import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkIssuedAt } from './issued-at.ts'

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

describe('checkIssuedAt', () => {
  it('accepts a token without iat', () => {
    assert.equal(checkIssuedAt(undefined, now, 60), undefined)
  })

  it('accepts iat in the past or now', () => {
    assert.equal(checkIssuedAt(now - 3600, now, 60), undefined)
    assert.equal(checkIssuedAt(now, now, 0), undefined)
  })

  it('accepts iat in the future within the leeway, up to its edge', () => {
    assert.equal(checkIssuedAt(now + 60, now, 60), undefined)
  })

  it('rejects iat one second beyond the leeway, hinting at clock skew', () => {
    const error = checkIssuedAt(now + 61, now, 60)
    assertError(error, {
      code: 'issued_in_future',
      check: 'issued_at',
      expected: 'iat at or before 2027-01-15T08:01:00Z',
      actual: 'iat 2027-01-15T08:01:01Z',
      hint: 'clock_skew',
    })
    assert.equal(
      error.message,
      'iat 2027-01-15T08:01:01Z is 61 s after now 2027-01-15T08:00:00Z (leeway 60 s): 1 s beyond the leeway: this looks like clock skew between issuer and receiver',
    )
  })

  it('rejects iat in the future without leeway', () => {
    const error = checkIssuedAt(now + 1, now, 0)
    assertError(error, {
      code: 'issued_in_future',
      check: 'issued_at',
      expected: 'iat at or before 2027-01-15T08:00:00Z',
      actual: 'iat 2027-01-15T08:00:01Z',
      hint: 'clock_skew',
    })
  })

  it('does not hint at clock skew five minutes or more beyond the leeway', () => {
    const error = checkIssuedAt(now + 3600, now, 60)
    assertError(error, {
      code: 'issued_in_future',
      check: 'issued_at',
      expected: 'iat at or before 2027-01-15T08:01:00Z',
      actual: 'iat 2027-01-15T09:00:00Z',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'iat 2027-01-15T09:00:00Z is 1 h after now 2027-01-15T08:00:00Z (leeway 60 s)',
    )
    assert.equal(checkIssuedAt(now + 60 + 300, now, 60)?.hint, undefined)
    assert.equal(checkIssuedAt(now + 60 + 299, now, 60)?.hint, 'clock_skew')
  })
})
