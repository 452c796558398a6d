import assert from 'node:assert/strict'
import { test } from 'node:test'
import { codes, type ErrorCode, TesseraError } from '@tessera/verify'
import { renderGenerateAccessTokenError, renderGoogleStsError } from './render.ts'
import { googleIamWireCodes, googleStsWireCodes } from './wire-codes.ts'

// Every row, rendered: the status, Google's error value, and Tessera's code in the header.
for (const code of Object.keys(codes) as ErrorCode[]) {
  test(`${code} renders through both Google tables`, () => {
    const error = new TesseraError({ code, message: `${code} happened` })
    const sts = renderGoogleStsError(error, {
      tokenIssuer: 'https://a.test',
      tokenAudience: ['x'],
      tokenIssuedAt: 5,
      providerIssuer: 'https://b.test',
    })
    assert.equal(sts.status, googleStsWireCodes[code].status)
    assert.equal(sts.body.error, googleStsWireCodes[code].error)
    assert.equal(typeof sts.body.error_description, 'string')
    assert.equal(sts.headers['tessera-error-code'], code)
    const iam = renderGenerateAccessTokenError(error)
    assert.equal(iam.status, googleIamWireCodes[code].code)
    assert.deepEqual(Object.keys(iam.body.error as object), ['code', 'message', 'status'])
    assert.equal((iam.body.error as { status: string }).status, googleIamWireCodes[code].status)
  })
}

test("the rows Google names have Google's error values", () => {
  assert.equal(googleStsWireCodes.target_not_allowed.error, 'invalid_target')
  assert.equal(googleStsWireCodes.condition_failed.error, 'unauthorized_client')
  for (const code of [
    'issuer_mismatch',
    'audience_mismatch',
    'expired',
    'bad_signature',
  ] as const) {
    assert.equal(googleStsWireCodes[code].error, 'invalid_grant')
  }
  assert.equal(googleIamWireCodes.no_matching_policy.status, 'PERMISSION_DENIED')
  assert.equal(googleIamWireCodes.bad_signature.status, 'UNAUTHENTICATED')
  assert.equal(googleIamWireCodes.invalid_request.status, 'INVALID_ARGUMENT')
})

test("Google's messages fill in the token's values", () => {
  const render = (code: ErrorCode, context = {}) =>
    renderGoogleStsError(new TesseraError({ code, message: 'm' }), context).body.error_description
  assert.equal(
    render('issuer_mismatch', {
      tokenIssuer: 'https://ci.test/',
      providerIssuer: 'https://ci.test',
    }),
    'The issuer in ID Token https://ci.test/ does not match the expected ones: https://ci.test',
  )
  assert.equal(
    render('bad_signature'),
    'The signature of the ID Token could not be verified with the keys of its issuer.',
  )
  // Without the token's iat, expiry falls back to Tessera's words (a detail code: its message).
  assert.equal(render('expired'), 'm')
  assert.equal(render('invalid_config'), codes.invalid_config.summary)
  // Anything not a TesseraError is an opaque internal_error.
  const odd = renderGoogleStsError(new Error('boom'))
  assert.equal(odd.status, 500)
  assert.equal(odd.headers['tessera-error-code'], 'internal_error')
  assert.equal(
    renderGenerateAccessTokenError('x').body.error &&
      (renderGenerateAccessTokenError('x').body.error as { message: string }).message,
    'Internal error encountered.',
  )
})
