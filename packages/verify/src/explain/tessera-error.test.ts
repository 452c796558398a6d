import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes } from './codes.ts'
import { isTesseraError, TesseraError } from './tessera-error.ts'

describe('TesseraError', () => {
  it('is an Error named TesseraError with the code, check and message', () => {
    const error = new TesseraError({ code: 'expired', message: 'exp is in the past' })
    assert.ok(error instanceof Error)
    assert.equal(error.name, 'TesseraError')
    assert.equal(error.code, 'expired')
    assert.equal(error.message, 'exp is in the past')
    assert.match(String(error.stack), /^TesseraError: exp is in the past/)
  })

  it("defaults check to the code's check in the table", () => {
    assert.equal(new TesseraError({ code: 'expired', message: 'm' }).check, 'expiry')
    assert.equal(new TesseraError({ code: 'bad_signature', message: 'm' }).check, 'signature')
  })

  it('keeps an explicit check', () => {
    const error = new TesseraError({ code: 'missing_claim', check: 'audience', message: 'm' })
    assert.equal(error.check, 'audience')
  })

  it('leaves absent optional fields undefined', () => {
    const error = new TesseraError({ code: 'expired', message: 'm' })
    assert.equal(error.expected, undefined)
    assert.equal(error.actual, undefined)
    assert.equal(error.hint, undefined)
    assert.equal(error.problems, undefined)
    assert.equal(Object.hasOwn(error, 'cause'), false)
  })

  it('keeps a cause for debugging', () => {
    const cause = new SyntaxError('bad json')
    const error = new TesseraError({ code: 'malformed', message: 'm', cause })
    assert.equal(error.cause, cause)
  })

  it('copies and freezes problems', () => {
    const problems = [{ path: 'leeway', message: 'must be a number' }]
    const error = new TesseraError({ code: 'invalid_options', message: 'm', problems })
    problems.push({ path: 'x', message: 'y' })
    assert.deepEqual(error.problems, [{ path: 'leeway', message: 'must be a number' }])
    assert.equal(Object.isFrozen(error.problems), true)
  })

  it("exposes the code table's entry and exposure", () => {
    const error = new TesseraError({ code: 'jwks_unavailable', message: 'm' })
    assert.equal(error.info, codes.jwks_unavailable)
    assert.equal(error.exposure, 'summary')
    assert.equal(new TesseraError({ code: 'invalid_options', message: 'm' }).exposure, 'opaque')
    assert.equal(new TesseraError({ code: 'expired', message: 'm' }).exposure, 'detail')
  })
})

describe('TesseraError.toJSON', () => {
  it('returns exactly the public fields, in a stable order, never the cause', () => {
    const error = new TesseraError({
      code: 'audience_mismatch',
      message: 'aud "https://api.example.com/" is not one of ["https://api.example.com"]',
      expected: ['https://api.example.com'],
      actual: ['https://api.example.com/'],
      hint: 'trailing_slash',
      cause: new Error('secret detail'),
    })
    const json = error.toJSON()
    assert.deepEqual(json, {
      code: 'audience_mismatch',
      check: 'audience',
      message: 'aud "https://api.example.com/" is not one of ["https://api.example.com"]',
      expected: ['https://api.example.com'],
      actual: ['https://api.example.com/'],
      hint: 'trailing_slash',
    })
    assert.deepEqual(Object.keys(json), ['code', 'check', 'message', 'expected', 'actual', 'hint'])
    assert.equal(JSON.stringify(error).includes('secret detail'), false)
    assert.equal(JSON.stringify(error).includes('cause'), false)
  })

  it('includes problems for invalid options', () => {
    const problems = [{ path: 'issuers[1].algorithms[0]', message: 'is never accepted' }]
    const error = new TesseraError({ code: 'invalid_options', message: 'm', problems })
    assert.deepEqual(JSON.parse(JSON.stringify(error)), {
      code: 'invalid_options',
      check: 'options',
      message: 'm',
      problems,
    })
  })

  it('leaves out fields that are absent', () => {
    const error = new TesseraError({ code: 'expired', message: 'm', cause: 'x' })
    assert.deepEqual(Object.keys(error.toJSON()), ['code', 'check', 'message'])
  })

  it('never serialises the stack or the name', () => {
    const text = JSON.stringify(new TesseraError({ code: 'expired', message: 'm' }))
    assert.equal(text, '{"code":"expired","check":"expiry","message":"m"}')
  })
})

describe('isTesseraError', () => {
  it('is true for a TesseraError', () => {
    assert.equal(isTesseraError(new TesseraError({ code: 'expired', message: 'm' })), true)
  })

  it('is true for a TesseraError from another copy of the package', () => {
    class ForeignTesseraError extends Error {
      readonly code = 'expired'
      override get name(): string {
        return 'TesseraError'
      }
    }
    assert.equal(isTesseraError(new ForeignTesseraError('m')), true)
  })

  it('is false for other errors and for look-alikes that are not errors', () => {
    assert.equal(isTesseraError(new Error('m')), false)
    assert.equal(isTesseraError(Object.assign(new TypeError('m'), { code: 'expired' })), false)
    const named = new Error('m')
    named.name = 'TesseraError'
    assert.equal(isTesseraError(named), false)
    assert.equal(isTesseraError(Object.assign(named, { code: 42 })), false)
    assert.equal(isTesseraError({ name: 'TesseraError', code: 'expired', message: 'm' }), false)
    assert.equal(isTesseraError(undefined), false)
    assert.equal(isTesseraError(null), false)
    assert.equal(isTesseraError('TesseraError'), false)
  })
})
