import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, TesseraError } from '@tessera/verify'
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

  it('shows an opaque code with only its summary and the correlation id', () => {
    const error = new TesseraError({ code: 'internal_error', message: 'stack and paths' })
    assert.deepEqual(renderErrorBody(error, 'c-3'), {
      code: 'internal_error',
      message: codes.internal_error.summary,
      correlationId: 'c-3',
    })
  })
})
