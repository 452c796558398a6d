import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, TesseraError } from '@tessera/verify'
import { policyError } from '../../policy/explanation.ts'
import { renderErrorBody } from './error-body.ts'

describe('renderErrorBody', () => {
  it('shows a detail code with its message, expected, actual and hint', () => {
    const error = new TesseraError({
      code: 'invalid_request',
      message: 'limit "0" is not an integer from 1 to 500',
      expected: 'an integer from 1 to 500',
      actual: '0',
    })
    assert.deepEqual(renderErrorBody(error, 'c-1'), {
      code: 'invalid_request',
      check: 'request',
      message: 'limit "0" is not an integer from 1 to 500',
      expected: 'an integer from 1 to 500',
      actual: '0',
      correlationId: 'c-1',
    })
  })

  it('shows a summary code with the summary and hint, not the message or values', () => {
    const error = new TesseraError({
      code: 'target_not_allowed',
      message: 'policy internals',
      expected: ['secret-target'],
      actual: 'x',
      hint: 'trailing_slash',
    })
    assert.deepEqual(renderErrorBody(error, 'c-2'), {
      code: 'target_not_allowed',
      check: 'policy',
      message: codes.target_not_allowed.summary,
      hint: 'trailing_slash',
      correlationId: 'c-2',
    })
  })

  it('shows a detail code about a policy at summary, with the policy and hint only', () => {
    const error = policyError('audience_mismatch', 'audience', 'ci-deploy', {
      message: 'aud "https://a.example/" is not one of ["https://a.example"]',
      expected: ['https://a.example'],
      actual: ['https://a.example/'],
      hint: { id: 'trailing_slash', words: 'the values differ only by a trailing slash' },
    })
    assert.deepEqual(renderErrorBody(error, 'c-4'), {
      code: 'audience_mismatch',
      check: 'audience',
      message: codes.audience_mismatch.summary,
      hint: 'trailing_slash',
      policy: 'ci-deploy',
      correlationId: 'c-4',
    })
  })

  it("adds the author's message to condition_failed", () => {
    const error = policyError(
      'condition_failed',
      'condition',
      'ci-deploy',
      { message: 'first attempts only', expected: 'true', actual: 'false' },
      { prefix: false },
    )
    assert.deepEqual(renderErrorBody(error, 'c-5'), {
      code: 'condition_failed',
      check: 'condition',
      message: `${codes.condition_failed.summary}: first attempts only`,
      policy: 'ci-deploy',
      correlationId: 'c-5',
    })
  })

  it('shows an opaque code with only its summary and the correlation id', () => {
    const error = new TesseraError({ code: 'internal_error', message: 'stack and paths' })
    assert.deepEqual(renderErrorBody(error, 'c-3'), {
      code: 'internal_error',
      message: codes.internal_error.summary,
      correlationId: 'c-3',
    })
  })
})
