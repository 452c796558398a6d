import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkRequiredClaims } from './required-claims.ts'

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

describe('checkRequiredClaims', () => {
  it('accepts claims that are all present, whatever their value', () => {
    const claims = { sub: 'x', tenant: '', count: 0, admin: false }
    assert.equal(checkRequiredClaims(claims, ['sub', 'tenant', 'count', 'admin']), undefined)
  })

  it('accepts anything when nothing is required', () => {
    assert.equal(checkRequiredClaims({}, []), undefined)
  })

  it('rejects one missing claim, naming it and listing the claims present', () => {
    const error = checkRequiredClaims({ iss: 'i', sub: 's' }, ['sub', 'tenant'])
    assertError(error, {
      code: 'missing_claim',
      check: 'claims',
      expected: ['sub', 'tenant'],
      actual: ['iss', 'sub'],
      hint: undefined,
    })
    assert.equal(error.message, 'claim "tenant" is required but missing')
  })

  it('treats a null claim as missing', () => {
    const error = checkRequiredClaims({ tenant: null }, ['tenant'])
    assertError(error, {
      code: 'missing_claim',
      check: 'claims',
      expected: ['tenant'],
      actual: ['tenant'],
      hint: undefined,
    })
    assert.equal(error.message, 'claim "tenant" is required but missing')
  })

  it('names every missing claim at once', () => {
    const error = checkRequiredClaims({ sub: 's' }, ['tenant', 'sub', 'cluster'])
    assertError(error, {
      code: 'missing_claim',
      check: 'claims',
      expected: ['tenant', 'sub', 'cluster'],
      actual: ['sub'],
      hint: undefined,
    })
    assert.equal(error.message, 'claims ["tenant", "cluster"] are required but missing')
  })
})
