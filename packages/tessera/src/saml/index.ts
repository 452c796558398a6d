/**
 * @module saml — SAML 2.0 Response/Assertion validation hardened against signature wrapping,
 * comment truncation and DTD tricks, and IdP metadata loading. The part's only door.
 */

export { samlClaims } from './claims.ts'
export { type DecryptAssertionOptions, decryptAssertion } from './decrypt/decrypt-assertion.ts'
export { loadIdpMetadata, parseIdpMetadata } from './metadata.ts'
export type {
  IdpMetadata,
  MetadataWarning,
  SamlCheckName,
  SamlCheckResult,
  SamlEvaluation,
  SamlIdp,
  SamlValidationOptions,
  ValidatedAssertion,
} from './types.ts'
export { evaluateSamlResponse, validateSamlResponse } from './validate.ts'
