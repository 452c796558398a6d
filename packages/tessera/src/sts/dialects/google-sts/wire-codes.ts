import type { ErrorCode } from '@tessera/verify'

/** The RFC 6749 `error` values Google's STS answers with. */
export type GoogleStsError =
  | 'invalid_request'
  | 'invalid_grant'
  | 'invalid_target'
  | 'invalid_scope'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'server_error'
  | 'temporarily_unavailable'

/**
 * Which of Google's own messages a code is answered with (`render.ts` fills in the token's
 * values); absent: Tessera's description, by the code's exposure.
 */
export type GoogleStsMessage =
  | 'audience_format'
  | 'invalid_target'
  | 'token_audience'
  | 'token_issuer'
  | 'stale'
  | 'signature'
  | 'attribute_condition'

/** How one Tessera code goes out on Google's STS wire (`POST /v1/token`). */
export interface GoogleStsWireCode {
  readonly error: GoogleStsError
  readonly status: number
  readonly message?: GoogleStsMessage
}

const grant = { error: 'invalid_grant', status: 400 } as const
const request = { error: 'invalid_request', status: 400 } as const
const unavailable = { error: 'temporarily_unavailable', status: 503 } as const
const server = { error: 'server_error', status: 500 } as const
const issuer = { error: 'invalid_grant', status: 400, message: 'token_issuer' } as const
const signature = { error: 'invalid_grant', status: 400, message: 'signature' } as const
const stale = { error: 'invalid_grant', status: 400, message: 'stale' } as const

/**
 * Every Tessera code as Google's STS answers it (cloud-semantics.md §2.3): a token Google
 * cannot accept is `invalid_grant`, an unknown provider `invalid_target`, a failed attribute
 * condition `unauthorized_client`. One table, so a new code without a row fails to compile.
 */
export const googleStsWireCodes = Object.freeze({
  malformed: grant,
  too_large: request,
  alg_not_allowed: signature,
  key_type_mismatch: signature,
  unknown_key: signature,
  bad_signature: signature,
  issuer_unknown: issuer,
  issuer_mismatch: issuer,
  audience_mismatch: { error: 'invalid_grant', status: 400, message: 'token_audience' },
  // §7: "stale to sign-in" is what an expired token gets.
  expired: stale,
  not_yet_valid: grant,
  issued_in_future: grant,
  lifetime_exceeded: grant,
  token_too_old: stale,
  missing_claim: grant,
  subject_mismatch: grant,
  typ_mismatch: grant,
  crit_unsupported: grant,
  replay: grant,
  jwks_unavailable: unavailable,
  discovery_mismatch: unavailable,
  // The exchange is limited to the provider's implied policy: no policy for the token's iss
  // means the provider's issuer-uri is not the token's.
  no_matching_policy: issuer,
  policy_denied: { error: 'unauthorized_client', status: 400 },
  claim_mismatch: grant,
  condition_failed: {
    error: 'unauthorized_client',
    status: 400,
    message: 'attribute_condition',
  },
  target_not_allowed: { error: 'invalid_target', status: 400, message: 'invalid_target' },
  scope_not_allowed: { error: 'invalid_scope', status: 400 },
  actor_not_allowed: grant,
  invalid_request: request,
  unsupported_grant_type: { error: 'unsupported_grant_type', status: 400 },
  unsupported_token_type: request,
  join_token_invalid: grant,
  internal_error: server,
  missing_credentials: request,
  invalid_dpop_proof: request,
  dpop_replay: request,
  use_dpop_nonce: request,
  binding_mismatch: grant,
  bound_token_as_bearer: grant,
  insufficient_scope: { error: 'invalid_scope', status: 400 },
  subject_not_allowed: grant,
  delegation_too_deep: grant,
  // SAML assertions presented as subject tokens (the saml part): an invalid grant like any token.
  missing_signature: grant,
  untrusted_key: grant,
  multiple_assertions: grant,
  recipient_mismatch: grant,
  destination_mismatch: grant,
  in_response_to_mismatch: grant,
  status_not_success: grant,
  decryption_failed: grant,
  metadata_expired: grant,
  // Never produced by an exchange (doctor findings, the agent's own failures); rows for completeness.
  key_encrypted: server,
  key_certificate_mismatch: server,
  chain_incomplete: server,
  certificate_expired: server,
  drift_mismatch: server,
  drift_missing: server,
  drift_extra: server,
  stale_jwks: server,
  stale_thumbprint: server,
  upstream_unavailable: server,
  write_failed: server,
  invalid_options: server,
  invalid_config: server,
} as const satisfies Record<ErrorCode, GoogleStsWireCode>)

/** The google.rpc status names the IAM Credentials API answers with. */
export type GoogleRpcStatus =
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'UNAVAILABLE'
  | 'INTERNAL'

/** How one Tessera code goes out on the IAM Credentials wire (`…:generateAccessToken`). */
export interface GoogleIamWireCode {
  readonly code: number
  readonly status: GoogleRpcStatus
}

/** Google's answer to a bearer token it does not accept (401). */
export const unauthenticatedMessage =
  'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.'

/** Google's answer when the caller may not impersonate the account, or it does not exist (403). */
export const permissionDeniedMessage =
  "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."

const unauthenticated = { code: 401, status: 'UNAUTHENTICATED' } as const
const denied = { code: 403, status: 'PERMISSION_DENIED' } as const
const argument = { code: 400, status: 'INVALID_ARGUMENT' } as const
const internal = { code: 500, status: 'INTERNAL' } as const

/**
 * Every Tessera code as the IAM Credentials API answers it: the bearer (Tessera's STS token)
 * not accepted → 401 `UNAUTHENTICATED`; accepted but not allowed this account → 403
 * `PERMISSION_DENIED`; a bad body → 400 `INVALID_ARGUMENT`.
 */
export const googleIamWireCodes = Object.freeze({
  malformed: unauthenticated,
  too_large: argument,
  alg_not_allowed: unauthenticated,
  key_type_mismatch: unauthenticated,
  unknown_key: unauthenticated,
  bad_signature: unauthenticated,
  issuer_unknown: unauthenticated,
  issuer_mismatch: unauthenticated,
  audience_mismatch: unauthenticated,
  expired: unauthenticated,
  not_yet_valid: unauthenticated,
  issued_in_future: unauthenticated,
  lifetime_exceeded: unauthenticated,
  token_too_old: unauthenticated,
  missing_claim: unauthenticated,
  subject_mismatch: denied,
  typ_mismatch: unauthenticated,
  crit_unsupported: unauthenticated,
  replay: unauthenticated,
  jwks_unavailable: { code: 503, status: 'UNAVAILABLE' },
  discovery_mismatch: { code: 503, status: 'UNAVAILABLE' },
  no_matching_policy: denied,
  policy_denied: denied,
  claim_mismatch: denied,
  condition_failed: denied,
  target_not_allowed: denied,
  scope_not_allowed: argument,
  actor_not_allowed: denied,
  invalid_request: argument,
  unsupported_grant_type: argument,
  unsupported_token_type: argument,
  join_token_invalid: unauthenticated,
  internal_error: internal,
  missing_credentials: unauthenticated,
  invalid_dpop_proof: unauthenticated,
  dpop_replay: unauthenticated,
  use_dpop_nonce: unauthenticated,
  binding_mismatch: unauthenticated,
  bound_token_as_bearer: unauthenticated,
  insufficient_scope: denied,
  subject_not_allowed: denied,
  delegation_too_deep: denied,
  // SAML assertions presented as subject tokens (the saml part): an invalid grant like any token.
  missing_signature: unauthenticated,
  untrusted_key: unauthenticated,
  multiple_assertions: unauthenticated,
  recipient_mismatch: unauthenticated,
  destination_mismatch: unauthenticated,
  in_response_to_mismatch: unauthenticated,
  status_not_success: unauthenticated,
  decryption_failed: unauthenticated,
  metadata_expired: unauthenticated,
  // Never produced by an exchange (doctor findings, the agent's own failures); rows for completeness.
  key_encrypted: internal,
  key_certificate_mismatch: internal,
  chain_incomplete: internal,
  certificate_expired: internal,
  drift_mismatch: internal,
  drift_missing: internal,
  drift_extra: internal,
  stale_jwks: internal,
  stale_thumbprint: internal,
  upstream_unavailable: internal,
  write_failed: internal,
  invalid_options: internal,
  invalid_config: internal,
} as const satisfies Record<ErrorCode, GoogleIamWireCode>)
