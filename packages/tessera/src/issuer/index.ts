/**
 * @module issuer — Tessera's own OIDC-compatible issuer: signing keys (sealed at rest, rotated
 * with pre-publication), minting, discovery and JWKS, join tokens, SPIFFE IDs. Imports only
 * `@tessera/verify` and Node built-ins; the store implements its interfaces.
 */

export type { CacheableResponse } from './cacheable-response.ts'
export {
  type DiscoveryDocument,
  discoveryDocument,
  discoveryResponse,
} from './discovery-document.ts'
export {
  type CreateJoinTokenOptions,
  createJoinToken,
  hashJoinToken,
  joinTokenTtlBounds,
  type RedeemJoinTokenOptions,
  redeemJoinToken,
} from './join-token.ts'
export { jwksResponse } from './jwks-response.ts'
export { loadKeyEncryptionKey, parseSecretRef, type SecretRef } from './kek.ts'
export { retentionSeconds, retirementLeewaySeconds } from './key-lifecycle.ts'
export { createKeyManager, type KeyManager, type KeyManagerOptions } from './key-manager.ts'
export {
  createMinter,
  type Minter,
  type MinterOptions,
  type MintRequest,
  type MintResult,
} from './mint.ts'
export {
  checkIssuerSettings,
  type IssuerSection,
  type IssuerTimings,
  issuerDefaults,
  issuerSectionSchema,
  maxTokenTtlSeconds,
  resolveIssuerSettings,
} from './schema.ts'
export { openPrivateKey, sealPrivateKey } from './seal.ts'
export { isSpiffeId, isTrustDomain, parseSpiffeId } from './spiffe-id.ts'
export type {
  IssuerSettings,
  JoinTokenStore,
  JsonWebKeySet,
  KeyState,
  KeyStore,
  SigningAlgorithm,
  SigningKey,
  SigningKeyInfo,
  StoredJoinToken,
  StoredSigningKey,
} from './types.ts'
