import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { type ErrorCode, errorCodes, TesseraError } from '@tessera/verify'
import { entraVariants, entraWireFor, wireCodes, withEntraWire } from './wire-codes.ts'

// Every Tessera code and the Entra answer it gets: [AADSTS, error, HTTP status].
const expected: Record<ErrorCode, readonly [number, string, number]> = {
  malformed: [50027, 'invalid_request', 400],
  too_large: [50027, 'invalid_request', 400],
  alg_not_allowed: [700027, 'invalid_client', 401],
  key_type_mismatch: [700027, 'invalid_client', 401],
  unknown_key: [7000272, 'invalid_client', 401],
  bad_signature: [700027, 'invalid_client', 401],
  issuer_unknown: [700211, 'invalid_client', 401],
  issuer_mismatch: [700211, 'invalid_client', 401],
  audience_mismatch: [700212, 'invalid_client', 401],
  expired: [700024, 'invalid_client', 401],
  not_yet_valid: [700024, 'invalid_client', 401],
  issued_in_future: [700024, 'invalid_client', 401],
  lifetime_exceeded: [700024, 'invalid_client', 401],
  token_too_old: [700024, 'invalid_client', 401],
  missing_claim: [50027, 'invalid_request', 400],
  subject_mismatch: [700213, 'invalid_client', 401],
  typ_mismatch: [50027, 'invalid_request', 400],
  crit_unsupported: [50027, 'invalid_request', 400],
  replay: [50027, 'invalid_request', 400],
  jwks_unavailable: [50166, 'invalid_request', 400],
  discovery_mismatch: [50166, 'invalid_request', 400],
  no_matching_policy: [70021, 'invalid_client', 401],
  policy_denied: [70021, 'invalid_client', 401],
  claim_mismatch: [70021, 'invalid_client', 401],
  condition_failed: [70021, 'invalid_client', 401],
  target_not_allowed: [500011, 'invalid_resource', 400],
  scope_not_allowed: [70011, 'invalid_scope', 400],
  actor_not_allowed: [70021, 'invalid_client', 401],
  invalid_request: [9000411, 'invalid_request', 400],
  unsupported_grant_type: [70003, 'unsupported_grant_type', 400],
  unsupported_token_type: [9000411, 'invalid_request', 400],
  join_token_invalid: [9000411, 'invalid_request', 400],
  missing_credentials: [9000411, 'invalid_request', 400],
  invalid_dpop_proof: [9000411, 'invalid_request', 400],
  dpop_replay: [9000411, 'invalid_request', 400],
  use_dpop_nonce: [9000411, 'invalid_request', 400],
  binding_mismatch: [9000411, 'invalid_request', 400],
  bound_token_as_bearer: [9000411, 'invalid_request', 400],
  insufficient_scope: [70011, 'invalid_scope', 400],
  subject_not_allowed: [70021, 'invalid_client', 401],
  delegation_too_deep: [70021, 'invalid_client', 401],
  internal_error: [90033, 'server_error', 500],
  missing_signature: [50027, 'invalid_request', 400],
  untrusted_key: [50027, 'invalid_request', 400],
  multiple_assertions: [50027, 'invalid_request', 400],
  recipient_mismatch: [50027, 'invalid_request', 400],
  destination_mismatch: [50027, 'invalid_request', 400],
  in_response_to_mismatch: [50027, 'invalid_request', 400],
  status_not_success: [50027, 'invalid_request', 400],
  decryption_failed: [50027, 'invalid_request', 400],
  metadata_expired: [50027, 'invalid_request', 400],
  key_encrypted: [90033, 'server_error', 500],
  key_certificate_mismatch: [90033, 'server_error', 500],
  chain_incomplete: [90033, 'server_error', 500],
  certificate_expired: [90033, 'server_error', 500],
  drift_mismatch: [90033, 'server_error', 500],
  drift_missing: [90033, 'server_error', 500],
  drift_extra: [90033, 'server_error', 500],
  stale_jwks: [90033, 'server_error', 500],
  stale_thumbprint: [90033, 'server_error', 500],
  upstream_unavailable: [90033, 'server_error', 500],
  write_failed: [90033, 'server_error', 500],
  invalid_options: [90033, 'server_error', 500],
  invalid_config: [90033, 'server_error', 500],
}

const context = {
  tenant: 'contoso',
  clientId: 'app-1',
  resource: 'https://payments.example.org',
  scope: 'https://payments.example.org',
  grantType: 'password',
  now: 1_800_000_000,
  assertion: {
    iss: 'https://issuer.example',
    sub: 'sub-1',
    aud: 'api://AzureADTokenExchange',
    kid: 'k1',
  },
}

describe('Entra wire codes', () => {
  test('the table has a row for every code and no other', () => {
    assert.deepEqual(Object.keys(wireCodes).sort(), [...errorCodes].sort())
    assert.deepEqual(Object.keys(expected).sort(), [...errorCodes].sort())
  })

  for (const code of errorCodes) {
    test(`${code} → AADSTS${expected[code][0]} ${expected[code][1]} ${expected[code][2]}`, () => {
      const row = wireCodes[code]
      assert.deepEqual([row.aadsts, row.error, row.status], expected[code])
      const text = row.describe(context, new TesseraError({ code, message: 'why it failed' }))
      assert.ok(text.length > 0 && !text.startsWith('AADSTS'), 'the message follows the prefix')
      // invalid_client is Entra's 401; everything else a client sends wrong is 400.
      assert.equal(row.status === 401, row.error === 'invalid_client')
    })
  }

  const messages: [string, number, string][] = [
    [
      'unknown_key',
      7000272,
      "The certificate with identifier k1 used to sign the federated credential could not be found in the metadata of identity provider https://issuer.example. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.",
    ],
    [
      'bad_signature',
      700027,
      "Client assertion contains an invalid signature. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: 'k1']",
    ],
    ['jwks_unavailable', 50166, 'Request to External OIDC endpoint failed.'],
    [
      'target_not_allowed',
      500011,
      'The resource principal named https://payments.example.org was not found in the tenant named contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.',
    ],
    ['unsupported_grant_type', 70003, "The app requested an unsupported grant type 'password'."],
    ['malformed', 50027, 'JWT token is invalid or malformed. why it failed'],
    ['invalid_request', 9000411, 'The request is not properly formatted. why it failed'],
    [
      'issuer_unknown',
      700211,
      "No matching federated identity record found for presented assertion issuer 'https://issuer.example'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
    ],
    [
      'audience_mismatch',
      700212,
      "No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
    ],
    [
      'subject_mismatch',
      700213,
      "No matching federated identity record found for presented assertion subject 'sub-1'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
    ],
  ]
  for (const [code, aadsts, message] of messages) {
    test(`AADSTS${aadsts} reads as Entra words it`, () => {
      const error = new TesseraError({ code: code as ErrorCode, message: 'why it failed' })
      const row = entraWireFor(error)
      assert.equal(row.aadsts, aadsts)
      assert.equal(row.describe(context, error), message)
    })
  }

  test('a key without a kid reads "not set"', () => {
    const error = new TesseraError({ code: 'unknown_key', message: 'x' })
    assert.match(
      entraWireFor(error).describe({ tenant: 't', now: 0 }, error),
      /identifier not set used/,
    )
  })

  const variants: [keyof typeof entraVariants, number, string, number, string][] = [
    [
      'unknownApplication',
      700016,
      'unauthorized_client',
      400,
      "Application with identifier 'app-1' was not found in the directory 'contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    ],
    [
      'unknownTenant',
      90002,
      'invalid_tenant',
      400,
      "Tenant 'contoso' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.",
    ],
    [
      'missingAssertion',
      7000218,
      'invalid_client',
      401,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ],
    [
      'scopeWithoutDefault',
      1002012,
      'invalid_scope',
      400,
      'The provided value for scope https://payments.example.org is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).',
    ],
    [
      'noMatchingRecord',
      70021,
      'invalid_client',
      401,
      "No matching federated identity record found for presented assertion. Assertion Issuer: 'https://issuer.example'. Assertion Subject: 'sub-1'. Assertion Audience: 'api://AzureADTokenExchange'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation",
    ],
  ]
  for (const [name, aadsts, error, status, message] of variants) {
    test(`variant ${name} → AADSTS${aadsts} ${error} ${status}`, () => {
      const marked = withEntraWire(
        new TesseraError({ code: 'no_matching_policy', message: 'x' }),
        entraVariants[name] as (typeof entraVariants)['noMatchingRecord'],
      )
      const row = entraWireFor(marked)
      assert.deepEqual([row.aadsts, row.error, row.status], [aadsts, error, status])
      assert.equal(row.describe(context, marked), message)
    })
  }

  test('a missing parameter is named by the variant', () => {
    const row = entraVariants.missingParameter('scope')
    assert.deepEqual([row.aadsts, row.error, row.status], [900144, 'invalid_request', 400])
    assert.equal(
      row.describe(context, new TesseraError({ code: 'invalid_request', message: 'x' })),
      "The request body must contain the following parameter: 'scope'.",
    )
  })

  test('the case-only variant states both comparisons', () => {
    const row = entraVariants.subjectCaseOnly
    assert.deepEqual([row.aadsts, row.error, row.status], [7002138, 'invalid_client', 401])
    assert.match(
      row.describe(context, new TesseraError({ code: 'subject_mismatch', message: 'x' })),
      /^No matching federated identity record found for presented assertion subject 'sub-1'\. The subject matches with case-insensitive comparison, but not with case-sensitive comparison\./,
    )
  })
})
