import type { ErrorCode } from '@tessera/verify'
import type { AwsWireCode } from './wire-codes.ts'

// AssumeRoleWithSAML's messages as STS gives them (cloud-semantics.md §1.5); where none was
// captured, the error's documentation text in the STS service model.
const invalid = (message: string): AwsWireCode => ({
  code: 'InvalidIdentityToken',
  status: 400,
  type: 'Sender',
  message,
})
const signatureInvalid = invalid('Response signature invalid')
const issuerNotPresent = invalid('Issuer not present in specified provider')
const notValidated = invalid(
  'The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request.',
)
const rejected: AwsWireCode = {
  code: 'IDPRejectedClaim',
  status: 403,
  type: 'Sender',
  message:
    'The identity provider (IdP) reported that authentication failed. This might be because the claim is invalid.',
}
const accessDenied: AwsWireCode = {
  code: 'AccessDenied',
  status: 403,
  type: 'Sender',
  message: 'Not authorized to perform sts:AssumeRoleWithSAML',
}

/**
 * How `AssumeRoleWithSAML` answers the codes whose STS error differs from
 * `AssumeRoleWithWebIdentity`'s: signature problems are "Response signature invalid", an
 * Issuer the provider does not hold is "Issuer not present in specified provider", an IdP
 * failure Status or a spent assertion is IDPRejectedClaim, an expired assertion
 * ExpiredTokenException, and a trust-policy refusal names sts:AssumeRoleWithSAML. Every other
 * code goes out as `awsWireCodes` says.
 */
export const awsSamlWireCodes: Readonly<Partial<Record<ErrorCode, AwsWireCode>>> = Object.freeze({
  bad_signature: signatureInvalid,
  missing_signature: signatureInvalid,
  untrusted_key: signatureInvalid,
  alg_not_allowed: signatureInvalid,
  issuer_mismatch: issuerNotPresent,
  issuer_unknown: issuerNotPresent,
  expired: { code: 'ExpiredTokenException', status: 400, type: 'Sender', message: 'Token expired' },
  not_yet_valid: notValidated,
  audience_mismatch: notValidated,
  recipient_mismatch: notValidated,
  destination_mismatch: notValidated,
  missing_claim: notValidated,
  status_not_success: rejected,
  replay: rejected,
  no_matching_policy: accessDenied,
  policy_denied: accessDenied,
  claim_mismatch: accessDenied,
  condition_failed: accessDenied,
  subject_mismatch: accessDenied,
  target_not_allowed: accessDenied,
  scope_not_allowed: accessDenied,
})

/**
 * Refusals of `AssumeRoleWithSAML` named by their check: a `PrincipalArn` naming no configured
 * provider. STS's text for it was not captured; the provider is what is missing.
 */
export const awsSamlWireCodesByCheck: Readonly<Record<string, AwsWireCode>> = Object.freeze({
  principal: invalid('Specified provider does not exist'),
})
