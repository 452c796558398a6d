import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, type ErrorCode } from '../explain/codes.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { rejectionBody, rejectionOf } from './rejection.ts'

const of = (code: ErrorCode, hint?: 'trailing_slash') =>
  rejectionOf(new TesseraError({ code, message: `secret-${code}`, ...(hint ? { hint } : {}) }))

describe('rejectionOf', () => {
  it('maps every code to the table status and a description without the message', () => {
    for (const code of Object.keys(codes) as ErrorCode[]) {
      const r = of(code)
      assert.equal(r.status, codes[code].http)
      assert.equal(r.grpc, codes[code].grpc)
      assert.equal(r.description, `${code}: ${codes[code].summary}`)
      assert.ok(!JSON.stringify(rejectionBody(r)).includes('secret-'))
    }
  })

  it('chooses the OAuth error per RFC 6750 and RFC 9449', () => {
    const errors = (code: ErrorCode) => [of(code).challengeError, of(code).error]
    assert.deepEqual(errors('missing_credentials'), [undefined, 'invalid_request'])
    assert.deepEqual(errors('expired'), ['invalid_token', 'invalid_token'])
    assert.deepEqual(errors('insufficient_scope'), ['insufficient_scope', 'insufficient_scope'])
    assert.deepEqual(errors('subject_not_allowed'), ['insufficient_scope', 'insufficient_scope'])
    assert.deepEqual(errors('invalid_request'), ['invalid_request', 'invalid_request'])
    assert.deepEqual(errors('dpop_replay'), ['invalid_dpop_proof', 'invalid_dpop_proof'])
    assert.deepEqual(errors('use_dpop_nonce'), ['use_dpop_nonce', 'use_dpop_nonce'])
    assert.deepEqual(errors('jwks_unavailable'), [undefined, 'temporarily_unavailable'])
    assert.deepEqual(errors('internal_error'), [undefined, 'server_error'])
    assert.equal(of('bound_token_as_bearer').dpop, true)
    assert.equal(of('expired').dpop, false)
  })

  it('keeps hints of detail codes only, and hides anything that is not a TesseraError', () => {
    assert.deepEqual(rejectionBody(of('audience_mismatch', 'trailing_slash')), {
      error: 'invalid_token',
      error_description: `audience_mismatch: ${codes.audience_mismatch.summary}`,
      code: 'audience_mismatch',
      hint: 'trailing_slash',
    })
    assert.equal(of('policy_denied', 'trailing_slash').hint, undefined)
    const r = rejectionOf(new Error('boom'))
    assert.equal(r.code, 'internal_error')
    assert.equal(r.status, 500)
  })
})
