import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkSubject } from './subject.ts'

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

const sa = 'system:serviceaccount:payments:api'

describe('checkSubject', () => {
  it('accepts a sub that is one of the accepted subjects', () => {
    assert.equal(checkSubject(sa, ['repo:org/app:ref:refs/heads/main', sa]), undefined)
  })

  it('rejects an unrelated sub without a hint', () => {
    const error = checkSubject('system:serviceaccount:billing:worker', [sa])
    assertError(error, {
      code: 'subject_mismatch',
      check: 'subject',
      expected: [sa],
      actual: 'system:serviceaccount:billing:worker',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'sub "system:serviceaccount:billing:worker" is not one of ["system:serviceaccount:payments:api"]',
    )
  })

  it('compares exactly and hints at a near miss', () => {
    const error = checkSubject(`${sa}\n`, [sa])
    assertError(error, {
      code: 'subject_mismatch',
      check: 'subject',
      expected: [sa],
      actual: `${sa}\n`,
      hint: 'whitespace',
    })
    assert.equal(
      error.message,
      'sub "system:serviceaccount:payments:api\\n" is not one of ["system:serviceaccount:payments:api"]: the values differ only by whitespace (the token\'s value has a trailing newline)',
    )
  })

  it('hints at a letter-case difference', () => {
    const error = checkSubject('Alice', ['alice'])
    assertError(error, {
      code: 'subject_mismatch',
      check: 'subject',
      expected: ['alice'],
      actual: 'Alice',
      hint: 'case',
    })
  })

  it('reports a missing sub as missing_claim', () => {
    const error = checkSubject(undefined, [sa])
    assertError(error, {
      code: 'missing_claim',
      check: 'subject',
      expected: [sa],
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'sub is missing, expected one of ["system:serviceaccount:payments:api"]',
    )
  })
})
