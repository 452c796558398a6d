import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, errorCodes, isErrorCode } from './codes.ts'

describe('isErrorCode', () => {
  it('is true for every code in the table', () => {
    for (const code of errorCodes) assert.equal(isErrorCode(code), true, code)
  })

  it('is false for names inherited from Object.prototype', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.equal(isErrorCode(name), false, name)
    }
  })

  it('is false for near misses and non-strings', () => {
    for (const value of ['EXPIRED', 'expired ', 'audience-mismatch', '', 0, null, undefined, {}]) {
      assert.equal(isErrorCode(value), false, String(value))
    }
    assert.equal(isErrorCode(['expired']), false)
  })
})

describe('errorCodes', () => {
  it('lists the codes of the table in table order, frozen', () => {
    assert.deepEqual(errorCodes, Object.keys(codes))
    assert.equal(Object.isFrozen(errorCodes), true)
  })

  it('spells every code in snake_case', () => {
    for (const code of errorCodes) assert.match(code, /^[a-z]+(_[a-z]+)*$/)
  })

  it('gives every code a check, a known exposure and statuses that match it', () => {
    for (const code of errorCodes) {
      const info = codes[code]
      assert.match(info.check, /^[a-z_]+$/, code)
      assert.ok(['detail', 'summary', 'opaque'].includes(info.exposure), code)
      assert.ok([400, 401, 403, 500, 503].includes(info.http), code)
      if (info.http === 401) assert.equal(info.grpc, 'UNAUTHENTICATED', code)
      if (info.http === 403) assert.equal(info.grpc, 'PERMISSION_DENIED', code)
      if (info.http === 400)
        assert.ok(['INVALID_ARGUMENT', 'PERMISSION_DENIED'].includes(info.grpc), code)
      if (info.http === 503) assert.equal(info.grpc, 'UNAVAILABLE', code)
      if (info.http === 500) assert.equal(info.grpc, 'INTERNAL', code)
    }
  })

  it('writes summaries and fixes as lower-case sentences without a trailing period', () => {
    for (const code of errorCodes) {
      for (const text of [codes[code].summary, codes[code].fix]) {
        assert.match(text, /^[a-z]/, `${code}: ${text}`)
        assert.doesNotMatch(text, /\.$/, `${code}: ${text}`)
      }
    }
  })
})
