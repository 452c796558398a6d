/**
 * @module sts — the exchange engine (verify → policy → single use → mint → audit) and its wire
 * dialects (RFC 8693 token exchange). Imports only policy, issuer, saml and `@tessera/verify`.
 */

export { isAudited } from './audited.ts'
export { type CanonicalExchange, type IssuedTokenType, tokenTypes } from './canonical.ts'
export { type AwsDialectSection, awsDialectSchema } from './dialects/aws-sts/config-schema.ts'
export {
  type AwsSamlRequest,
  type AwsStsRequest,
  type AwsWebIdentityRequest,
  parseAwsStsRequest,
} from './dialects/aws-sts/parse.ts'
export {
  type AwsStsResponse,
  awsWireCodeOf,
  renderAssumeRoleWithSAML,
  renderAssumeRoleWithWebIdentity,
  renderAwsStsError,
} from './dialects/aws-sts/render.ts'
export {
  type AwsSamlProvider,
  awsSamlAttributes,
  awsSigninSamlUrl,
  resolveSamlProvider,
  samlExchange,
} from './dialects/aws-sts/saml.ts'
export { cloudDialectPolicies } from './dialects/cloud-policies.ts'
export type { CloudsSection as CloudsDialects } from './dialects/clouds-section.ts'
export { type EntraDialectSection, entraDialectSchema } from './dialects/entra/config-schema.ts'
export { type GcpDialectSection, gcpDialectSchema } from './dialects/google-sts/config-schema.ts'
export { parseGenerateAccessToken } from './dialects/google-sts/generate-access-token.ts'
export { serviceAccountMemberProblems } from './dialects/google-sts/members.ts'
export { parseGoogleSts } from './dialects/google-sts/parse.ts'
export {
  type GoogleStsErrorContext,
  renderGenerateAccessToken,
  renderGenerateAccessTokenError,
  renderGoogleSts,
  renderGoogleStsError,
} from './dialects/google-sts/render.ts'
export type { RequestHeaders } from './dialects/token-exchange/client-auth.ts'
export {
  maxPresentedTokenBytes,
  type ParseTokenExchangeOptions,
  parseTokenExchange,
  tokenExchangeGrantType,
} from './dialects/token-exchange/parse.ts'
export {
  renderTokenExchange,
  renderTokenExchangeError,
  type TokenExchangeResponse,
} from './dialects/token-exchange/render.ts'
export {
  type TokenExchangeError,
  type TokenExchangeWireCode,
  wireCodes,
} from './dialects/token-exchange/wire-codes.ts'
export { createExchangeEngine } from './engine.ts'
export type { SamlTrust } from './saml-subject.ts'
export { tokenSha256 } from './token-hash.ts'
export type {
  AuditPage,
  AuditQuery,
  AuditRecord,
  AuditSink,
  EngineDeps,
  ExchangeEngine,
  ExchangeResult,
  IdentityRequest,
  IdentityResult,
  RefusedRequest,
} from './types.ts'
