/**
 * @module sts/dialects/entra — the Entra dialect: OAuth 2.0 client credentials with an RFC 7523
 * JWT-bearer client assertion matched against federated identity credentials, answered in
 * Entra's JSON and AADSTS codes. The server's Entra routes import it through this file.
 */

export { type FicMatch, matchFederatedCredential } from './match-fic.ts'
export {
  defaultScopeSuffix,
  type EntraTokenRequest,
  entraExchange,
  jwtBearerAssertionType,
  parseEntraTokenRequest,
} from './parse.ts'
export { type EntraResponse, entraTimestamp, renderEntraError, renderEntraToken } from './render.ts'
export {
  type EntraErrorContext,
  type EntraWireCode,
  entraVariants,
  entraWireFor,
  wireCodes as entraWireCodes,
} from './wire-codes.ts'
