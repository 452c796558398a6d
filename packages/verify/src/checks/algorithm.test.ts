import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import { checkAlgorithm } from './algorithm.ts'

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

const issuer = 'https://idp.example.com'

describe('checkAlgorithm', () => {
  it('accepts an algorithm on the allow-list', () => {
    assert.equal(checkAlgorithm('ES256', ['ES256', 'RS256'], issuer), undefined)
  })

  it('rejects an algorithm that is not on the allow-list and names what the issuer allows', () => {
    const error = checkAlgorithm('RS256', ['ES256'], issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['ES256'],
      actual: 'RS256',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "RS256" is not one of ["ES256"]: the issuer "https://idp.example.com" allows ["ES256"]',
    )
  })

  it('rejects alg none even when a lying allow-list contains it', () => {
    const allowed = ['none', 'ES256'] as unknown as JwsAlgorithm[]
    const error = checkAlgorithm('none', allowed, issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['none', 'ES256'],
      actual: 'none',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "none" is not one of ["none", "ES256"]: unsigned tokens are never accepted',
    )
  })

  it('rejects alg none in any letter case as unsigned, without a case hint', () => {
    const allowed = ['none'] as unknown as JwsAlgorithm[]
    const error = checkAlgorithm('NONE', allowed, issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['none'],
      actual: 'NONE',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "NONE" is not one of ["none"]: unsigned tokens are never accepted',
    )
  })

  it('rejects HS256 even when a lying allow-list contains it', () => {
    const allowed = ['HS256'] as unknown as JwsAlgorithm[]
    const error = checkAlgorithm('HS256', allowed, issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['HS256'],
      actual: 'HS256',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "HS256" is not one of ["HS256"]: HMAC (shared-secret) algorithms are never accepted',
    )
  })

  it('never hints at a near miss for an HMAC algorithm', () => {
    const allowed = ['HS512'] as unknown as JwsAlgorithm[]
    const error = checkAlgorithm('hs512', allowed, issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['HS512'],
      actual: 'hs512',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "hs512" is not one of ["HS512"]: HMAC (shared-secret) algorithms are never accepted',
    )
  })

  it('rejects an algorithm that differs only by letter case with a case hint', () => {
    const error = checkAlgorithm('es256', ['ES256'], issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: ['ES256'],
      actual: 'es256',
      hint: 'case',
    })
    assert.equal(
      error.message,
      'alg "es256" is not one of ["ES256"]: the values differ only by letter case',
    )
  })

  it('rejects any algorithm when the allow-list is empty', () => {
    const error = checkAlgorithm('ES256', [], issuer)
    assertError(error, {
      code: 'alg_not_allowed',
      check: 'algorithm',
      expected: [],
      actual: 'ES256',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'alg "ES256" is not one of []: the issuer "https://idp.example.com" allows []',
    )
  })

  it('returns a copy of the allow-list as expected, not the list itself', () => {
    const allowed: JwsAlgorithm[] = ['ES256']
    const error = checkAlgorithm('RS256', allowed, issuer)
    assert.notEqual(error?.expected, allowed)
  })
})
