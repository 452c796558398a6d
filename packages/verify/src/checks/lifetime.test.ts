import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkLifetime } from './lifetime.ts'

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

const now = 1_800_000_000

describe('checkLifetime', () => {
  it('accepts a lifetime up to the maximum', () => {
    assert.equal(checkLifetime(now, undefined, now + 3600, 3600), undefined)
    assert.equal(checkLifetime(now, undefined, now + 60, 3600), undefined)
  })

  it('leaves a token without exp to the expiry check', () => {
    assert.equal(checkLifetime(undefined, undefined, undefined, 3600), undefined)
    assert.equal(checkLifetime(now, undefined, undefined, 3600), undefined)
  })

  it('rejects exp - iat one second over the maximum', () => {
    const error = checkLifetime(now, undefined, now + 3601, 3600)
    assertError(error, {
      code: 'lifetime_exceeded',
      check: 'lifetime',
      expected: '<= 3600 s',
      actual: '3601 s',
      hint: undefined,
    })
    assert.equal(error.message, 'lifetime exp - iat is 1 h 1 s, more than the maximum of 1 h')
  })

  it('measures from nbf when there is no iat', () => {
    const error = checkLifetime(undefined, now, now + 7200, 3600)
    assertError(error, {
      code: 'lifetime_exceeded',
      check: 'lifetime',
      expected: '<= 3600 s',
      actual: '7200 s',
      hint: undefined,
    })
    assert.equal(error.message, 'lifetime exp - nbf is 2 h, more than the maximum of 1 h')
  })

  it('measures from iat when both iat and nbf are present', () => {
    assert.equal(checkLifetime(now, now + 3000, now + 3600, 3600), undefined)
    assert.equal(checkLifetime(now - 1, now, now + 3600, 3600)?.actual, '3601 s')
  })

  it('requires iat (or nbf) to check the cap', () => {
    const error = checkLifetime(undefined, undefined, now + 60, 3600)
    assertError(error, {
      code: 'missing_claim',
      check: 'lifetime',
      expected: 'iat (NumericDate)',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'iat is missing, needed to check the lifetime cap of 1 h')
  })
})
