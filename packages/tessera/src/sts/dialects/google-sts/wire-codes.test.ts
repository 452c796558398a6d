import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, type ErrorCode, errorCodes, TesseraError } from '@tessera/verify'
import { renderGenerateAccessTokenError, renderGoogleStsError } from './render.ts'
import { googleIamWireCodes, googleStsWireCodes } from './wire-codes.ts'

// The whole STS table, row by row: [`error`, HTTP status, Google message key or none].
const sts: Record<ErrorCode, readonly [string, number, string | undefined]> = {
  malformed: ['invalid_grant', 400, undefined],
  too_large: ['invalid_request', 400, undefined],
  alg_not_allowed: ['invalid_grant', 400, 'signature'],
  key_type_mismatch: ['invalid_grant', 400, 'signature'],
  unknown_key: ['invalid_grant', 400, 'signature'],
  bad_signature: ['invalid_grant', 400, 'signature'],
  issuer_unknown: ['invalid_grant', 400, 'token_issuer'],
  issuer_mismatch: ['invalid_grant', 400, 'token_issuer'],
  audience_mismatch: ['invalid_grant', 400, 'token_audience'],
  expired: ['invalid_grant', 400, 'stale'],
  not_yet_valid: ['invalid_grant', 400, undefined],
  issued_in_future: ['invalid_grant', 400, undefined],
  lifetime_exceeded: ['invalid_grant', 400, undefined],
  token_too_old: ['invalid_grant', 400, 'stale'],
  missing_claim: ['invalid_grant', 400, undefined],
  subject_mismatch: ['invalid_grant', 400, undefined],
  typ_mismatch: ['invalid_grant', 400, undefined],
  crit_unsupported: ['invalid_grant', 400, undefined],
  replay: ['invalid_grant', 400, undefined],
  jwks_unavailable: ['temporarily_unavailable', 503, undefined],
  discovery_mismatch: ['temporarily_unavailable', 503, undefined],
  no_matching_policy: ['invalid_grant', 400, 'token_issuer'],
  policy_denied: ['unauthorized_client', 400, undefined],
  claim_mismatch: ['invalid_grant', 400, undefined],
  condition_failed: ['unauthorized_client', 400, 'attribute_condition'],
  target_not_allowed: ['invalid_target', 400, 'invalid_target'],
  scope_not_allowed: ['invalid_scope', 400, undefined],
  actor_not_allowed: ['invalid_grant', 400, undefined],
  invalid_request: ['invalid_request', 400, undefined],
  unsupported_grant_type: ['unsupported_grant_type', 400, undefined],
  unsupported_token_type: ['invalid_request', 400, undefined],
  join_token_invalid: ['invalid_grant', 400, undefined],
  internal_error: ['server_error', 500, undefined],
  missing_credentials: ['invalid_request', 400, undefined],
  invalid_dpop_proof: ['invalid_request', 400, undefined],
  dpop_replay: ['invalid_request', 400, undefined],
  use_dpop_nonce: ['invalid_request', 400, undefined],
  binding_mismatch: ['invalid_grant', 400, undefined],
  bound_token_as_bearer: ['invalid_grant', 400, undefined],
  insufficient_scope: ['invalid_scope', 400, undefined],
  subject_not_allowed: ['invalid_grant', 400, undefined],
  delegation_too_deep: ['invalid_grant', 400, undefined],
  missing_signature: ['invalid_grant', 400, undefined],
  untrusted_key: ['invalid_grant', 400, undefined],
  multiple_assertions: ['invalid_grant', 400, undefined],
  recipient_mismatch: ['invalid_grant', 400, undefined],
  destination_mismatch: ['invalid_grant', 400, undefined],
  in_response_to_mismatch: ['invalid_grant', 400, undefined],
  status_not_success: ['invalid_grant', 400, undefined],
  decryption_failed: ['invalid_grant', 400, undefined],
  metadata_expired: ['invalid_grant', 400, undefined],
  key_encrypted: ['server_error', 500, undefined],
  key_certificate_mismatch: ['server_error', 500, undefined],
  chain_incomplete: ['server_error', 500, undefined],
  certificate_expired: ['server_error', 500, undefined],
  drift_mismatch: ['server_error', 500, undefined],
  drift_missing: ['server_error', 500, undefined],
  drift_extra: ['server_error', 500, undefined],
  stale_jwks: ['server_error', 500, undefined],
  stale_thumbprint: ['server_error', 500, undefined],
  upstream_unavailable: ['server_error', 500, undefined],
  write_failed: ['server_error', 500, undefined],
  invalid_options: ['server_error', 500, undefined],
  invalid_config: ['server_error', 500, undefined],
}

// The whole IAM Credentials table, row by row: [HTTP code, google.rpc status].
const iam: Record<ErrorCode, readonly [number, string]> = {
  malformed: [401, 'UNAUTHENTICATED'],
  too_large: [400, 'INVALID_ARGUMENT'],
  alg_not_allowed: [401, 'UNAUTHENTICATED'],
  key_type_mismatch: [401, 'UNAUTHENTICATED'],
  unknown_key: [401, 'UNAUTHENTICATED'],
  bad_signature: [401, 'UNAUTHENTICATED'],
  issuer_unknown: [401, 'UNAUTHENTICATED'],
  issuer_mismatch: [401, 'UNAUTHENTICATED'],
  audience_mismatch: [401, 'UNAUTHENTICATED'],
  expired: [401, 'UNAUTHENTICATED'],
  not_yet_valid: [401, 'UNAUTHENTICATED'],
  issued_in_future: [401, 'UNAUTHENTICATED'],
  lifetime_exceeded: [401, 'UNAUTHENTICATED'],
  token_too_old: [401, 'UNAUTHENTICATED'],
  missing_claim: [401, 'UNAUTHENTICATED'],
  subject_mismatch: [403, 'PERMISSION_DENIED'],
  typ_mismatch: [401, 'UNAUTHENTICATED'],
  crit_unsupported: [401, 'UNAUTHENTICATED'],
  replay: [401, 'UNAUTHENTICATED'],
  jwks_unavailable: [503, 'UNAVAILABLE'],
  discovery_mismatch: [503, 'UNAVAILABLE'],
  no_matching_policy: [403, 'PERMISSION_DENIED'],
  policy_denied: [403, 'PERMISSION_DENIED'],
  claim_mismatch: [403, 'PERMISSION_DENIED'],
  condition_failed: [403, 'PERMISSION_DENIED'],
  target_not_allowed: [403, 'PERMISSION_DENIED'],
  scope_not_allowed: [400, 'INVALID_ARGUMENT'],
  actor_not_allowed: [403, 'PERMISSION_DENIED'],
  invalid_request: [400, 'INVALID_ARGUMENT'],
  unsupported_grant_type: [400, 'INVALID_ARGUMENT'],
  unsupported_token_type: [400, 'INVALID_ARGUMENT'],
  join_token_invalid: [401, 'UNAUTHENTICATED'],
  internal_error: [500, 'INTERNAL'],
  missing_credentials: [401, 'UNAUTHENTICATED'],
  invalid_dpop_proof: [401, 'UNAUTHENTICATED'],
  dpop_replay: [401, 'UNAUTHENTICATED'],
  use_dpop_nonce: [401, 'UNAUTHENTICATED'],
  binding_mismatch: [401, 'UNAUTHENTICATED'],
  bound_token_as_bearer: [401, 'UNAUTHENTICATED'],
  insufficient_scope: [403, 'PERMISSION_DENIED'],
  subject_not_allowed: [403, 'PERMISSION_DENIED'],
  delegation_too_deep: [403, 'PERMISSION_DENIED'],
  missing_signature: [401, 'UNAUTHENTICATED'],
  untrusted_key: [401, 'UNAUTHENTICATED'],
  multiple_assertions: [401, 'UNAUTHENTICATED'],
  recipient_mismatch: [401, 'UNAUTHENTICATED'],
  destination_mismatch: [401, 'UNAUTHENTICATED'],
  in_response_to_mismatch: [401, 'UNAUTHENTICATED'],
  status_not_success: [401, 'UNAUTHENTICATED'],
  decryption_failed: [401, 'UNAUTHENTICATED'],
  metadata_expired: [401, 'UNAUTHENTICATED'],
  key_encrypted: [500, 'INTERNAL'],
  key_certificate_mismatch: [500, 'INTERNAL'],
  chain_incomplete: [500, 'INTERNAL'],
  certificate_expired: [500, 'INTERNAL'],
  drift_mismatch: [500, 'INTERNAL'],
  drift_missing: [500, 'INTERNAL'],
  drift_extra: [500, 'INTERNAL'],
  stale_jwks: [500, 'INTERNAL'],
  stale_thumbprint: [500, 'INTERNAL'],
  upstream_unavailable: [500, 'INTERNAL'],
  write_failed: [500, 'INTERNAL'],
  invalid_options: [500, 'INTERNAL'],
  invalid_config: [500, 'INTERNAL'],
}

// Google's own words (cloud-semantics.md §2.3), spelled out here rather than imported, so a
// changed constant fails.
const permissionDenied =
  "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
const unauthenticated =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

const renderSts = (code: ErrorCode, context = {}, check?: string) =>
  renderGoogleStsError(
    new TesseraError({
      code,
      message: `${code} happened`,
      ...(check === undefined ? {} : { check }),
    }),
    context,
  )

describe('googleStsWireCodes', () => {
  it('maps every Tessera code, and nothing else', () => {
    assert.deepEqual(Object.keys(googleStsWireCodes).sort(), [...errorCodes].sort())
    assert.deepEqual(Object.keys(sts).sort(), [...errorCodes].sort())
  })

  for (const code of errorCodes) {
    it(`answers ${code} as ${sts[code][0]} ${sts[code][1]}`, () => {
      const row = googleStsWireCodes[code]
      const message = 'message' in row ? row.message : undefined
      assert.deepEqual([row.error, row.status, message], sts[code])
      // And the renderer sends exactly that row, with Tessera's code beside it.
      const rendered = renderSts(code, { tokenIssuer: 'https://a.test', tokenIssuedAt: 5 })
      assert.equal(rendered.status, sts[code][1])
      assert.equal(rendered.body.error, sts[code][0])
      assert.equal(rendered.headers['tessera-error-code'], code)
    })
  }
})

describe('googleIamWireCodes', () => {
  it('maps every Tessera code, and nothing else', () => {
    assert.deepEqual(Object.keys(googleIamWireCodes).sort(), [...errorCodes].sort())
    assert.deepEqual(Object.keys(iam).sort(), [...errorCodes].sort())
  })

  for (const code of errorCodes) {
    it(`answers ${code} as ${iam[code][0]} ${iam[code][1]}`, () => {
      const row = googleIamWireCodes[code]
      assert.deepEqual([row.code, row.status], iam[code])
      const rendered = renderGenerateAccessTokenError(
        new TesseraError({ code, message: `${code} happened` }),
      )
      assert.equal(rendered.status, iam[code][0])
      const error = rendered.body.error as Record<string, unknown>
      assert.deepEqual(Object.keys(error), ['code', 'message', 'status'])
      assert.equal(error.code, iam[code][0])
      assert.equal(error.status, iam[code][1])
      assert.equal(rendered.headers['tessera-error-code'], code)
    })
  }
})

describe("Google's messages", () => {
  const describeSts = (code: ErrorCode, context = {}, check?: string) =>
    renderSts(code, context, check).body.error_description

  it('answers a malformed audience with the resource-name text', () => {
    assert.equal(
      describeSts('invalid_request', {}, 'audience'),
      'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.',
    )
    // Any other invalid_request keeps Tessera's words.
    assert.notEqual(
      describeSts('invalid_request', {}, 'scope'),
      describeSts('invalid_request', {}, 'audience'),
    )
  })

  it('answers an unknown provider with the invalid-target text', () => {
    assert.equal(
      describeSts('target_not_allowed'),
      'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    )
  })

  it("fills in the token's audience, issuer and iat", () => {
    assert.equal(
      describeSts('audience_mismatch', { tokenAudience: ['https://a.test', 'b'] }),
      'The audience in ID Token [https://a.test, b] does not match the expected audience.',
    )
    assert.equal(
      describeSts('issuer_mismatch', {
        tokenIssuer: 'https://ci.test/',
        providerIssuer: 'https://ci.test',
      }),
      'The issuer in ID Token https://ci.test/ does not match the expected ones: https://ci.test',
    )
    assert.equal(
      describeSts('expired', { tokenIssuedAt: 1624482533 }),
      'ID Token issued at 1624482533 is stale to sign-in.',
    )
    assert.equal(
      describeSts('token_too_old', { tokenIssuedAt: 441398 }),
      'ID Token issued at 441398 is stale to sign-in.',
    )
  })

  it('answers a failed attribute condition as Google does', () => {
    assert.equal(
      describeSts('condition_failed'),
      'The given credential is rejected by the attribute condition.',
    )
  })

  it("falls back to Tessera's words where Google has none on record", () => {
    assert.equal(
      describeSts('bad_signature'),
      'The signature of the ID Token could not be verified with the keys of its issuer.',
    )
    // Without the token's iat, expiry is Tessera's message (a detail code).
    assert.equal(describeSts('expired'), 'expired happened')
    // An opaque code shows only its summary, never the message.
    assert.equal(describeSts('invalid_config'), codes.invalid_config.summary)
  })

  it("answers generateAccessToken with Google's fixed texts", () => {
    const message = (code: ErrorCode) =>
      (
        renderGenerateAccessTokenError(new TesseraError({ code, message: 'm' })).body.error as {
          message: string
        }
      ).message
    assert.equal(message('bad_signature'), unauthenticated)
    assert.equal(message('no_matching_policy'), permissionDenied)
    assert.equal(message('internal_error'), 'Internal error encountered.')
  })

  it('answers anything but a TesseraError as an opaque internal_error', () => {
    const odd = renderGoogleStsError(new Error('boom'))
    assert.deepEqual([odd.status, odd.body.error], [500, 'server_error'])
    assert.equal(odd.headers['tessera-error-code'], 'internal_error')
    assert.ok(!String(odd.body.error_description).includes('boom'))
    const iamOdd = renderGenerateAccessTokenError('x')
    assert.deepEqual(iamOdd.body.error, {
      code: 500,
      message: 'Internal error encountered.',
      status: 'INTERNAL',
    })
  })
})
