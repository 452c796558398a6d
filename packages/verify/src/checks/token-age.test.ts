import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkTokenAge } from './token-age.ts'

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

describe('checkTokenAge', () => {
  it('accepts a token issued within the maximum age plus the leeway', () => {
    assert.equal(checkTokenAge(now, now, 600, 60), undefined)
    assert.equal(checkTokenAge(now - 660, now, 600, 60), undefined)
  })

  it('accepts a token whose iat is in the future (the issued-at check judges that)', () => {
    assert.equal(checkTokenAge(now + 30, now, 600, 0), undefined)
  })

  it('rejects a token issued longer ago than the maximum age plus the leeway', () => {
    const error = checkTokenAge(now - 661, now, 600, 60)
    assertError(error, {
      code: 'token_too_old',
      check: 'token_age',
      expected: '<= 600 s',
      actual: '661 s',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'token was issued 11 min 1 s ago, more than the maximum age of 10 min (leeway 60 s)',
    )
  })

  it('requires iat to check the age', () => {
    const error = checkTokenAge(undefined, now, 600, 60)
    assertError(error, {
      code: 'missing_claim',
      check: 'token_age',
      expected: 'iat (NumericDate)',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'iat is missing, needed to check the maximum token age of 10 min')
  })
})
