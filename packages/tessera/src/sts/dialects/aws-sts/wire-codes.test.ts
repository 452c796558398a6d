import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { errorCodes } from '@tessera/verify'
import { awsWireCodes, awsWireCodesByCheck } from './wire-codes.ts'

// The whole table, row by row: [STS code, HTTP status, fault type].
const expected: Record<string, [string, number, 'Sender' | 'Receiver']> = {
  malformed: ['InvalidIdentityToken', 400, 'Sender'],
  too_large: ['ValidationError', 400, 'Sender'],
  alg_not_allowed: ['InvalidIdentityToken', 400, 'Sender'],
  key_type_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  unknown_key: ['InvalidIdentityToken', 400, 'Sender'],
  bad_signature: ['InvalidIdentityToken', 400, 'Sender'],
  issuer_unknown: ['InvalidIdentityToken', 400, 'Sender'],
  issuer_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  audience_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  expired: ['ExpiredTokenException', 400, 'Sender'],
  not_yet_valid: ['InvalidIdentityToken', 400, 'Sender'],
  issued_in_future: ['InvalidIdentityToken', 400, 'Sender'],
  lifetime_exceeded: ['InvalidIdentityToken', 400, 'Sender'],
  token_too_old: ['ExpiredTokenException', 400, 'Sender'],
  missing_claim: ['InvalidIdentityToken', 400, 'Sender'],
  subject_mismatch: ['AccessDenied', 403, 'Sender'],
  typ_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  crit_unsupported: ['InvalidIdentityToken', 400, 'Sender'],
  replay: ['IDPRejectedClaim', 403, 'Sender'],
  jwks_unavailable: ['IDPCommunicationError', 400, 'Sender'],
  discovery_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  no_matching_policy: ['AccessDenied', 403, 'Sender'],
  policy_denied: ['AccessDenied', 403, 'Sender'],
  claim_mismatch: ['AccessDenied', 403, 'Sender'],
  condition_failed: ['AccessDenied', 403, 'Sender'],
  target_not_allowed: ['AccessDenied', 403, 'Sender'],
  scope_not_allowed: ['AccessDenied', 403, 'Sender'],
  actor_not_allowed: ['AccessDenied', 403, 'Sender'],
  invalid_request: ['ValidationError', 400, 'Sender'],
  unsupported_grant_type: ['ValidationError', 400, 'Sender'],
  unsupported_token_type: ['ValidationError', 400, 'Sender'],
  join_token_invalid: ['InvalidIdentityToken', 400, 'Sender'],
  internal_error: ['InternalFailure', 500, 'Receiver'],
  missing_credentials: ['ValidationError', 400, 'Sender'],
  invalid_dpop_proof: ['ValidationError', 400, 'Sender'],
  dpop_replay: ['ValidationError', 400, 'Sender'],
  use_dpop_nonce: ['ValidationError', 400, 'Sender'],
  binding_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  bound_token_as_bearer: ['InvalidIdentityToken', 400, 'Sender'],
  insufficient_scope: ['AccessDenied', 403, 'Sender'],
  subject_not_allowed: ['AccessDenied', 403, 'Sender'],
  delegation_too_deep: ['AccessDenied', 403, 'Sender'],
  missing_signature: ['InvalidIdentityToken', 400, 'Sender'],
  untrusted_key: ['InvalidIdentityToken', 400, 'Sender'],
  multiple_assertions: ['InvalidIdentityToken', 400, 'Sender'],
  recipient_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  destination_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  in_response_to_mismatch: ['InvalidIdentityToken', 400, 'Sender'],
  status_not_success: ['InvalidIdentityToken', 400, 'Sender'],
  decryption_failed: ['InvalidIdentityToken', 400, 'Sender'],
  metadata_expired: ['InvalidIdentityToken', 400, 'Sender'],
  key_encrypted: ['InternalFailure', 500, 'Receiver'],
  key_certificate_mismatch: ['InternalFailure', 500, 'Receiver'],
  chain_incomplete: ['InternalFailure', 500, 'Receiver'],
  certificate_expired: ['InternalFailure', 500, 'Receiver'],
  drift_mismatch: ['InternalFailure', 500, 'Receiver'],
  drift_missing: ['InternalFailure', 500, 'Receiver'],
  drift_extra: ['InternalFailure', 500, 'Receiver'],
  stale_jwks: ['InternalFailure', 500, 'Receiver'],
  stale_thumbprint: ['InternalFailure', 500, 'Receiver'],
  upstream_unavailable: ['InternalFailure', 500, 'Receiver'],
  write_failed: ['InternalFailure', 500, 'Receiver'],
  invalid_options: ['InternalFailure', 500, 'Receiver'],
  invalid_config: ['InternalFailure', 500, 'Receiver'],
}

describe('awsWireCodes', () => {
  it('maps every Tessera code, and nothing else', () => {
    assert.deepEqual(Object.keys(awsWireCodes).sort(), [...errorCodes].sort())
    assert.deepEqual(Object.keys(expected).sort(), [...errorCodes].sort())
  })

  for (const code of errorCodes) {
    it(`answers ${code} as ${expected[code]?.[0]}`, () => {
      const row = awsWireCodes[code]
      assert.deepEqual([row.code, row.status, row.type], expected[code])
      assert.ok(row.message.length > 0)
    })
  }

  it('carries the Exception suffix only where STS does', () => {
    const suffixed = new Set(
      Object.values(awsWireCodes)
        .map((r) => r.code)
        .filter((c) => c.endsWith('Exception')),
    )
    assert.deepEqual([...suffixed], ['ExpiredTokenException'])
  })

  it("keeps STS's own words, quirks included", () => {
    assert.equal(awsWireCodes.audience_mismatch.message, 'Incorrect token audience')
    assert.equal(
      awsWireCodes.no_matching_policy.message,
      'Not authorized to perform sts:AssumeRoleWithWebIdentity',
    )
    // Two spaces after the comma, as STS writes it.
    assert.match(awsWireCodes.unknown_key.message, /provider, {2}please/)
  })

  it('answers an unknown action as InvalidAction', () => {
    assert.deepEqual(awsWireCodesByCheck.action, {
      code: 'InvalidAction',
      status: 400,
      type: 'Sender',
      message: 'The action or operation requested is invalid.',
    })
    assert.deepEqual(awsWireCodesByCheck.duration, {
      code: 'ValidationError',
      status: 400,
      type: 'Sender',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    })
  })
})
