import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkExpiry } from './expiry.ts'

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

describe('checkExpiry', () => {
  it('accepts a token that expires in the future', () => {
    assert.equal(checkExpiry(now + 300, now, 60), undefined)
  })

  it('accepts a token that expired less than the leeway ago', () => {
    assert.equal(checkExpiry(now - 59, now, 60), undefined)
  })

  it('rejects a token whose exp plus leeway is exactly now', () => {
    const error = checkExpiry(now - 60, now, 60)
    assertError(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:59:00Z',
      hint: 'clock_skew',
    })
    assert.equal(
      error.message,
      'exp 2027-01-15T07:59:00Z is 60 s before now 2027-01-15T08:00:00Z (leeway 60 s): 1 s beyond the leeway: this looks like clock skew between issuer and receiver',
    )
  })

  it('rejects a token at its exp when there is no leeway (now must be before exp)', () => {
    const error = checkExpiry(now, now, 0)
    assertError(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T08:00:00Z',
      actual: 'exp 2027-01-15T08:00:00Z',
      hint: 'clock_skew',
    })
  })

  it('hints at clock skew when a token expired less than five minutes beyond the leeway', () => {
    const error = checkExpiry(now - 90, now, 60)
    assertError(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:58:30Z',
      hint: 'clock_skew',
    })
    assert.equal(
      error.message,
      'exp 2027-01-15T07:58:30Z is 90 s before now 2027-01-15T08:00:00Z (leeway 60 s): 30 s beyond the leeway: this looks like clock skew between issuer and receiver',
    )
  })

  it('still hints at clock skew 299 s beyond the leeway', () => {
    assert.equal(checkExpiry(now - 60 - 299, now, 60)?.hint, 'clock_skew')
  })

  it('does not hint at clock skew five minutes or more beyond the leeway', () => {
    const error = checkExpiry(now - 360, now, 60)
    assertError(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:54:00Z',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'exp 2027-01-15T07:54:00Z is 6 min before now 2027-01-15T08:00:00Z (leeway 60 s)',
    )
  })

  it('renders a long-expired token with hours in the message', () => {
    const error = checkExpiry(now - 3600, now, 60)
    assertError(error, {
      code: 'expired',
      check: 'expiry',
      expected: 'exp after 2027-01-15T07:59:00Z',
      actual: 'exp 2027-01-15T07:00:00Z',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'exp 2027-01-15T07:00:00Z is 1 h before now 2027-01-15T08:00:00Z (leeway 60 s)',
    )
  })

  it('requires exp: a token without one is never accepted', () => {
    const error = checkExpiry(undefined, now, 60)
    assertError(error, {
      code: 'missing_claim',
      check: 'expiry',
      expected: 'exp (NumericDate)',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'exp is missing: tokens without an expiry are never accepted')
  })
})
