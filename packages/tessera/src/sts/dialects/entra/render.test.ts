import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { entraTimestamp, renderEntraError, renderEntraToken } from './render.ts'
import { entraVariants, withEntraWire } from './wire-codes.ts'

const context = {
  tenant: 'contoso.onmicrosoft.com',
  clientId: 'app-1',
  now: 1_800_000_000,
  assertion: {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/payments:ref:refs/heads/main',
    aud: 'api://AzureADTokenExchange',
    nbf: 1_799_999_000,
    exp: 1_799_999_900,
    kid: 'k1',
  },
}

describe('renderEntraToken', () => {
  test('answers token_type, expires_in, ext_expires_in and access_token', () => {
    const rendered = renderEntraToken({
      accessToken: 'at',
      issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      tokenType: 'Bearer',
      expiresIn: 900,
      correlationId: 'c',
    })
    assert.equal(rendered.status, 200)
    assert.deepEqual(rendered.body, {
      token_type: 'Bearer',
      expires_in: 900,
      ext_expires_in: 900,
      access_token: 'at',
    })
    assert.equal(rendered.headers['cache-control'], 'no-store, no-cache')
  })
})

describe('renderEntraError', () => {
  test("answers in Entra's JSON shape with the AADSTS code in both places", () => {
    const error = new TesseraError({
      code: 'subject_mismatch',
      message: 'sub differs',
      hint: 'case',
    })
    const rendered = renderEntraError(
      withEntraWire(error, entraVariants.subjectCaseOnly),
      'corr-1',
      context,
    )
    assert.equal(rendered.status, 401)
    const ts = '2027-01-15 08:00:00Z'
    assert.deepEqual(Object.keys(rendered.body), [
      'error',
      'error_description',
      'error_codes',
      'timestamp',
      'trace_id',
      'correlation_id',
      'error_uri',
    ])
    assert.equal(rendered.body.error, 'invalid_client')
    assert.deepEqual(rendered.body.error_codes, [7002138])
    assert.equal(rendered.body.timestamp, ts)
    assert.equal(rendered.body.trace_id, 'corr-1')
    assert.equal(rendered.body.correlation_id, 'corr-1')
    assert.equal(rendered.body.error_uri, 'https://login.microsoftonline.com/error?code=7002138')
    const description = rendered.body.error_description as string
    assert.match(
      description,
      /^AADSTS7002138: No matching federated identity record found for presented assertion subject 'repo:acme\/payments:ref:refs\/heads\/main'\./,
    )
    assert.ok(
      description.endsWith(`\r\nTrace ID: corr-1\r\nCorrelation ID: corr-1\r\nTimestamp: ${ts}`),
    )
    assert.equal(rendered.headers['tessera-error-code'], 'subject_mismatch')
    assert.equal(rendered.headers['tessera-error-hint'], 'case')
  })

  test('the time-range message states now, nbf and exp as Entra prints them', () => {
    const rendered = renderEntraError(
      new TesseraError({ code: 'expired', message: 'token expired' }),
      'c',
      context,
    )
    assert.equal(rendered.status, 401)
    assert.equal(
      rendered.body.error_description,
      'AADSTS700024: Client assertion is not within its valid time range. Current time: 2027-01-15T08:00:00.0000000Z, assertion valid from 2027-01-15T07:43:20.0000000Z, expiry time of assertion 2027-01-15T07:58:20.0000000Z. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .\r\nTrace ID: c\r\nCorrelation ID: c\r\nTimestamp: 2027-01-15 08:00:00Z',
    )
    assert.equal(rendered.headers['tessera-error-hint'], undefined)
  })

  test('missing times read "not set"; iat stands in for a missing nbf', () => {
    const expired = new TesseraError({ code: 'expired', message: 'x' })
    const none = renderEntraError(expired, 'c', { tenant: 't', now: 0, assertion: { exp: 'soon' } })
    assert.match(
      none.body.error_description as string,
      /valid from not set, expiry time of assertion not set\./,
    )
    const iat = renderEntraError(expired, 'c', {
      tenant: 't',
      now: 0,
      assertion: { iat: 0, exp: 8.64e15 + 1 },
    })
    assert.match(
      iat.body.error_description as string,
      /valid from 1970-01-01T00:00:00\.0000000Z, expiry time of assertion not set/,
    )
  })

  test('70021 names issuer, subject and audience; an aud array is joined', () => {
    const rendered = renderEntraError(
      new TesseraError({ code: 'no_matching_policy', message: 'none' }),
      'c',
      { ...context, assertion: { ...context.assertion, aud: ['a', 'b'] } },
    )
    assert.match(
      rendered.body.error_description as string,
      /^AADSTS70021: No matching federated identity record found for presented assertion\. Assertion Issuer: 'https:\/\/token\.actions\.githubusercontent\.com'\. Assertion Subject: 'repo:acme\/payments:ref:refs\/heads\/main'\. Assertion Audience: 'a,b'\./,
    )
    assert.equal(rendered.status, 401)
  })

  test('an opaque error shows no hint and no message; a non-TesseraError is internal_error', () => {
    const internal = renderEntraError(new Error('disk on fire'), 'c', context)
    assert.equal(internal.status, 500)
    assert.equal(internal.body.error, 'server_error')
    assert.equal(internal.headers['tessera-error-code'], 'internal_error')
    assert.doesNotMatch(internal.body.error_description as string, /disk/)
    const hinted = renderEntraError(
      new TesseraError({ code: 'internal_error', message: 'x', hint: 'case' }),
      'c',
      context,
    )
    assert.equal(hinted.headers['tessera-error-hint'], undefined)
  })

  test('values from the request are bounded and quoted as sent, nothing else', () => {
    const rendered = renderEntraError(
      new TesseraError({ code: 'issuer_unknown', message: 'configured: https://secret.internal' }),
      'c',
      { tenant: 't', now: 0, assertion: { iss: `https://x.example/${'a'.repeat(500)}` } },
    )
    const description = rendered.body.error_description as string
    assert.ok(description.length < 600, 'a long issuer is shortened')
    assert.doesNotMatch(description, /secret\.internal/)
  })

  test('entraTimestamp prints whole seconds', () => {
    assert.equal(entraTimestamp(1_767_323_045.9), '2026-01-02 03:04:05Z')
  })
})
