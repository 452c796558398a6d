import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { callerExposure, policyError, policyOf, withHint } from './explanation.ts'

describe('policyError', () => {
  it('prefixes the message with the policy, adds the hint words and remembers the policy', () => {
    const error = policyError('subject_mismatch', 'subject', 'p', {
      message: 'sub "a" does not match "b"',
      expected: 'b',
      actual: 'a',
      hint: { id: 'case', words: 'the values differ only by letter case' },
    })
    assert.deepEqual(error.toJSON(), {
      code: 'subject_mismatch',
      check: 'subject',
      message: 'policy "p": sub "a" does not match "b": the values differ only by letter case',
      expected: 'b',
      actual: 'a',
      hint: 'case',
    })
    assert.equal(policyOf(error), 'p')
  })

  it('keeps the message bare with prefix false, and omits absent fields', () => {
    const error = policyError(
      'condition_failed',
      'condition',
      'p',
      { message: 'author text' },
      { prefix: false },
    )
    assert.deepEqual(error.toJSON(), {
      code: 'condition_failed',
      check: 'condition',
      message: 'author text',
    })
  })
})

describe('policyOf', () => {
  it('is undefined for an error no policy produced', () => {
    assert.equal(policyOf(new TesseraError({ code: 'invalid_request', message: 'x' })), undefined)
  })
})

describe('callerExposure', () => {
  it("caps a policy error at summary, whatever its code's exposure", () => {
    const clause = (code: 'subject_mismatch' | 'scope_not_allowed') =>
      policyError(code, 'x', 'p', { message: 'm', expected: 'secret pattern', actual: 'a' })
    assert.equal(clause('subject_mismatch').exposure, 'detail')
    assert.equal(callerExposure(clause('subject_mismatch')), 'summary')
    assert.equal(callerExposure(clause('scope_not_allowed')), 'summary')
  })

  it("keeps the code's exposure for an error no policy produced", () => {
    const error = (code: 'subject_mismatch' | 'jwks_unavailable' | 'internal_error') =>
      new TesseraError({ code, message: 'x' })
    assert.equal(callerExposure(error('subject_mismatch')), 'detail')
    assert.equal(callerExposure(error('jwks_unavailable')), 'summary')
    assert.equal(callerExposure(error('internal_error')), 'opaque')
  })
})

describe('withHint', () => {
  it('appends the words after a colon, or leaves the message alone', () => {
    assert.equal(withHint('m', { id: 'path', words: 'w' }), 'm: w')
    assert.equal(withHint('m', undefined), 'm')
  })
})
