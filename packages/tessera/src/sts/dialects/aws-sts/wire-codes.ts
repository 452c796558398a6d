import type { ErrorCode } from '@tessera/verify'

/** AWS query-protocol fault side: `Sender` for the caller's fault, `Receiver` for the server's. */
export type AwsFaultType = 'Sender' | 'Receiver'

/** How one Tessera code goes out on the AWS STS wire. */
export interface AwsWireCode {
  /** `<Error><Code>`, exactly as STS spells it (only two carry the `Exception` suffix). */
  readonly code: string
  readonly status: number
  readonly type: AwsFaultType
  /** AWS's own words for the failure; Tessera's explanation is appended to them. */
  readonly message: string
}

// The messages STS gives (cloud-semantics.md §1.5); where none was captured, the text of the
// error's documentation in the STS service model.
const notAuthorized = 'Not authorized to perform sts:AssumeRoleWithWebIdentity'
const notValidated =
  'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.'

// InvalidIdentityToken (400): STS could not validate the token — no provider for its iss, wrong
// aud, no key, bad signature, a missing required claim, a malformed token.
const invalidToken = (message: string = notValidated): AwsWireCode => ({
  code: 'InvalidIdentityToken',
  status: 400,
  type: 'Sender',
  message,
})
// AccessDenied (403): STS gives this one text whether the role is missing, the trust policy's
// principal is wrong or a Condition on sub/aud/amr failed (§1.5); Tessera's explanation names
// which. So every policy denial maps here, conditions and claims included: a trust policy
// Condition is what they are, and IDPRejectedClaim is what the IdP, not the role, says.
const accessDenied: AwsWireCode = {
  code: 'AccessDenied',
  status: 403,
  type: 'Sender',
  message: notAuthorized,
}
// ValidationError (400): a parameter broke the API's constraints; the parser writes AWS's
// "1 validation error detected: …" sentence itself, so the generic text is only a fallback.
const validation: AwsWireCode = {
  code: 'ValidationError',
  status: 400,
  type: 'Sender',
  message: '1 validation error detected',
}
// InternalFailure (500, Receiver): the SDK retries it, as it would against STS.
const internal: AwsWireCode = {
  code: 'InternalFailure',
  status: 500,
  type: 'Receiver',
  message: 'The request processing has failed because of an unknown error, exception or failure.',
}

/**
 * Every Tessera error code mapped to the STS error code, HTTP status and fault type of
 * `AssumeRoleWithWebIdentity` — one table, so a code added to `@tessera/verify` without a row
 * here fails to compile. Codes no AWS request can produce (DPoP, receiver-side decisions) still
 * have the row STS's nearest error gives.
 */
export const awsWireCodes = Object.freeze({
  malformed: invalidToken(),
  // A token over the verifier's byte cap: STS refuses an oversized WebIdentityToken as a
  // parameter constraint (`clientTokenType` is at most 20000 characters).
  too_large: validation,
  alg_not_allowed: invalidToken(),
  key_type_mismatch: invalidToken(),
  unknown_key: invalidToken(
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  ),
  bad_signature: invalidToken(),
  issuer_unknown: invalidToken('No OpenIDConnect provider found in your account'),
  issuer_mismatch: invalidToken('No OpenIDConnect provider found in your account'),
  // STS checks aud against the provider's client-id list: "Incorrect token audience".
  audience_mismatch: invalidToken('Incorrect token audience'),
  // STS answers an expired token, and one it finds too old, with ExpiredTokenException.
  expired: { code: 'ExpiredTokenException', status: 400, type: 'Sender', message: 'Token expired' },
  token_too_old: {
    code: 'ExpiredTokenException',
    status: 400,
    type: 'Sender',
    message: 'Token too old',
  },
  // A token not valid yet, or living longer than allowed, is one STS cannot validate.
  not_yet_valid: invalidToken(),
  issued_in_future: invalidToken(),
  lifetime_exceeded: invalidToken(),
  missing_claim: invalidToken('Missing a required claim'),
  // A subject pattern is a trust-policy Condition on `<provider>:sub`.
  subject_mismatch: accessDenied,
  typ_mismatch: invalidToken(),
  crit_unsupported: invalidToken(),
  // A single-use token presented again: STS's word for a claim the IdP has revoked or that has
  // expired is IDPRejectedClaim (403), the nearest to "this token was already spent".
  replay: {
    code: 'IDPRejectedClaim',
    status: 403,
    type: 'Sender',
    message: 'The identity provider rejected the claim: the token was already used',
  },
  // The issuer's keys cannot be fetched now: STS's transient IdP error, which the SDK retries.
  jwks_unavailable: {
    code: 'IDPCommunicationError',
    status: 400,
    type: 'Sender',
    message:
      'The request could not be fulfilled because the identity provider (IDP) that was asked to verify the incoming identity token could not be reached.',
  },
  // A discovery document naming another issuer is not transient: no key can be trusted.
  discovery_mismatch: invalidToken(
    "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
  ),
  no_matching_policy: accessDenied,
  policy_denied: accessDenied,
  claim_mismatch: accessDenied,
  condition_failed: accessDenied,
  target_not_allowed: accessDenied,
  scope_not_allowed: accessDenied,
  actor_not_allowed: accessDenied,
  invalid_request: validation,
  unsupported_grant_type: validation,
  unsupported_token_type: validation,
  join_token_invalid: invalidToken(),
  internal_error: internal,
  missing_credentials: validation,
  invalid_dpop_proof: validation,
  dpop_replay: validation,
  use_dpop_nonce: validation,
  // A token bound to a key cannot be used as a bearer web identity token.
  binding_mismatch: invalidToken(),
  bound_token_as_bearer: invalidToken(),
  insufficient_scope: accessDenied,
  subject_not_allowed: accessDenied,
  delegation_too_deep: accessDenied,
  // SAML assertions presented as subject tokens (the saml part): an invalid grant like any token.
  missing_signature: invalidToken(),
  untrusted_key: invalidToken(),
  multiple_assertions: invalidToken(),
  recipient_mismatch: invalidToken(),
  destination_mismatch: invalidToken(),
  in_response_to_mismatch: invalidToken(),
  status_not_success: invalidToken(),
  decryption_failed: invalidToken(),
  metadata_expired: invalidToken(),
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
} as const satisfies Record<ErrorCode, AwsWireCode>)

/**
 * Request refusals STS names by what was wrong rather than by a Tessera code, keyed by the
 * error's `check`: an unknown or missing `Action`, or an action this server does not offer
 * (the dialect is not configured), is `InvalidAction` (400) on the AWS query protocol; a
 * `DurationSeconds` above the role's maximum is STS's ValidationError with its own sentence.
 */
export const awsWireCodesByCheck: Readonly<Record<string, AwsWireCode>> = Object.freeze({
  action: {
    code: 'InvalidAction',
    status: 400,
    type: 'Sender',
    message: 'The action or operation requested is invalid.',
  },
  duration: {
    code: 'ValidationError',
    status: 400,
    type: 'Sender',
    message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  },
})
