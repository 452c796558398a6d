import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { toHttpError, withStatus } from './http-error.ts'

const fastifyError = (code: string, statusCode: number) =>
  Object.assign(new Error(code), { code, statusCode })

describe('toHttpError', () => {
  it('keeps a TesseraError and its table status', () => {
    const error = new TesseraError({ code: 'audience_mismatch', message: 'aud differs' })
    assert.deepEqual(toHttpError(error), { error, unexpected: false })
  })

  it('keeps the status a route tagged a TesseraError with', () => {
    const error = withStatus(new TesseraError({ code: 'invalid_request', message: 'x' }), 415)
    assert.deepEqual(toHttpError(error), { error, unexpected: false, status: 415 })
  })

  it('maps a body over the limit to too_large with 413', () => {
    const http = toHttpError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413))
    assert.equal(http.status, 413)
    assert.equal(http.error.code, 'too_large')
    assert.equal(http.error.message, 'request body is larger than the limit')
    assert.equal(http.unexpected, false)
  })

  it('maps Fastify content-type and body errors to invalid_request with their status', () => {
    const cases: [string, number, number][] = [
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 400],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400],
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400],
      ['FST_ERR_SOMETHING_ELSE', 400, 400],
    ]
    for (const [code, statusCode, status] of cases) {
      const http = toHttpError(fastifyError(code, statusCode))
      assert.equal(http.error.code, 'invalid_request', code)
      assert.equal(http.status, status, code)
    }
  })

  it('maps a JSON syntax error (400 without a code) to invalid_request', () => {
    const syntax = Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 })
    const http = toHttpError(syntax)
    assert.equal(http.error.code, 'invalid_request')
    assert.equal(http.error.message, 'body is not valid JSON')
    assert.equal(http.status, 400)
  })

  it('turns anything else into an opaque internal_error that keeps the cause for the log', () => {
    const bug = new RangeError('secret detail')
    const http = toHttpError(bug)
    assert.equal(http.error.code, 'internal_error')
    assert.equal(http.unexpected, true)
    assert.equal(http.status, undefined)
    assert.equal(http.error.cause, bug)
    assert.ok(!http.error.message.includes('secret'))
    assert.equal(toHttpError(undefined).error.code, 'internal_error')
    assert.equal(toHttpError(fastifyError('X', 500)).error.code, 'internal_error')
  })
})
