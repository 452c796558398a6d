import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { codes, errorCodes } from '@tessera/verify'
import { wireCodes } from './wire-codes.ts'

const rfcErrors = new Set([
  'invalid_request',
  'invalid_grant',
  'invalid_target',
  'invalid_scope',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_client',
  'server_error',
  'temporarily_unavailable',
  // RFC 9449 §5 and §8: the token endpoint's own DPoP errors.
  'invalid_dpop_proof',
  'use_dpop_nonce',
])

describe('wireCodes (token exchange)', () => {
  it('maps every error code, and nothing else', () => {
    assert.deepEqual(Object.keys(wireCodes).sort(), [...errorCodes].sort())
    for (const code of errorCodes) assert.ok(rfcErrors.has(wireCodes[code].error), code)
  })

  it('never answers 401, so no WWW-Authenticate is owed', () => {
    for (const code of errorCodes) assert.notEqual(wireCodes[code].status, 401, code)
  })

  it('answers client errors with 400 and server errors with 5xx', () => {
    for (const code of errorCodes) {
      const { error, status } = wireCodes[code]
      const expected =
        error === 'server_error' ? 500 : error === 'temporarily_unavailable' ? 503 : 400
      assert.equal(status, expected, code)
    }
  })

  it('puts every verification failure and policy denial in the invalid_grant bucket', () => {
    for (const code of errorCodes) {
      const { check, exposure } = codes[code]
      const verification =
        exposure === 'detail' &&
        // Doctor findings and the agent's own failures never reach an exchange.
        !['request', 'dpop', 'request_policy', 'key_file', 'cloud_drift', 'delivery'].includes(
          check,
        ) &&
        code !== 'too_large'
      const denial =
        check === 'policy' && !['target_not_allowed', 'scope_not_allowed'].includes(code)
      if (verification || denial) assert.equal(wireCodes[code].error, 'invalid_grant', code)
    }
  })

  it('answers a bad or replayed DPoP proof and a missing nonce as RFC 9449 names them', () => {
    assert.deepEqual(
      Object.fromEntries(
        (['invalid_dpop_proof', 'dpop_replay', 'use_dpop_nonce'] as const).map((c) => [
          c,
          wireCodes[c].error,
        ]),
      ),
      {
        invalid_dpop_proof: 'invalid_dpop_proof',
        dpop_replay: 'invalid_dpop_proof',
        use_dpop_nonce: 'use_dpop_nonce',
      },
    )
  })

  it('maps the request, target, scope and availability codes as RFC 6749 and RFC 8693 name them', () => {
    assert.deepEqual(
      Object.fromEntries(
        (
          [
            'too_large',
            'invalid_request',
            'unsupported_grant_type',
            'unsupported_token_type',
            'target_not_allowed',
            'scope_not_allowed',
            'join_token_invalid',
            'jwks_unavailable',
            'discovery_mismatch',
            'internal_error',
            'invalid_options',
            'invalid_config',
          ] as const
        ).map((code) => [code, wireCodes[code].error]),
      ),
      {
        too_large: 'invalid_request',
        invalid_request: 'invalid_request',
        unsupported_grant_type: 'unsupported_grant_type',
        unsupported_token_type: 'invalid_request',
        target_not_allowed: 'invalid_target',
        scope_not_allowed: 'invalid_scope',
        join_token_invalid: 'invalid_grant',
        jwks_unavailable: 'temporarily_unavailable',
        discovery_mismatch: 'temporarily_unavailable',
        internal_error: 'server_error',
        invalid_options: 'server_error',
        invalid_config: 'server_error',
      },
    )
  })
})
