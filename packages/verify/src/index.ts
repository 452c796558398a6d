/**
 * @module @tessera/verify — strict JWT verification for workload identity that explains every
 * rejection. Owns the verify and explain parts; imports nothing but Node built-ins.
 */

export type { DelegationOptions } from './authorize/delegation.ts'
export { matchGlob } from './authorize/glob.ts'
export {
  allow,
  allowSubjects,
  deny,
  type RequestContext,
  type RequestDecision,
  type RequestPolicy,
  requireScopes,
} from './authorize/request-policy.ts'
export { certificateThumbprint } from './binding/certificate-thumbprint.ts'
export { type CreateDpopProofInput, createDpopProof } from './dpop/create-proof.ts'
export { generateDpopKeyPair } from './dpop/generate-key-pair.ts'
export { createDpopNonceSource, type DpopNonceSourceOptions } from './dpop/nonce-source.ts'
export type {
  DpopKeyPair,
  DpopNonceSource,
  DpopOptions,
  DpopProof,
  ResolvedDpopOptions,
} from './dpop/types.ts'
export { type ValidateDpopProofInput, validateDpopProof } from './dpop/validate-proof.ts'
export { findClosest } from './explain/closest.ts'
export {
  type CodeInfo,
  codes,
  type ErrorCode,
  type Exposure,
  errorCodes,
  type GrpcStatusName,
  isErrorCode,
} from './explain/codes.ts'
export { type Hint, type HintId, hintDescriptions, hintIds } from './explain/hint-id.ts'
export { detectHint } from './explain/hints/detect-hint.ts'
export { fingerprint, maskSecrets, quote, quoteList, redact, redactList } from './explain/redact.ts'
export {
  isTesseraError,
  type Problem,
  type ShownValue,
  TesseraError,
  type TesseraErrorInit,
  type TesseraErrorJson,
} from './explain/tessera-error.ts'
export { discoveryUrl, fetchDiscovery } from './keys/discovery.ts'
export { jwkThumbprint } from './keys/import-jwk.ts'
export { createJwksClient, type JwksClient, type JwksClientOptions } from './keys/jwks-client.ts'
export type { KeySource, KeySourceState } from './keys/key-source.ts'
export { createLocalKeySet } from './keys/local-key-set.ts'
export type { RejectedKey, VerificationKey } from './keys/verification-key.ts'
export { MemoryReplayStore, type MemoryReplayStoreOptions } from './replay/memory-replay-store.ts'
export type { ReplayStore } from './replay/replay-store.ts'
export { isJwsAlgorithm, type JwsAlgorithm, jwsAlgorithms } from './token/algorithms.ts'
export { type Clock, systemClock } from './token/clock.ts'
export { decodeJwt } from './token/decode.ts'
export type { DecodedJws, DecodedJwt, JwsHeader, JwtClaims } from './token/types.ts'
export { createVerifier } from './verifier/create-verifier.ts'
export type {
  CheckName,
  CheckResult,
  DecisionEvent,
  Evaluation,
  IssuerOptions,
  IssuerState,
  JwksCacheOptions,
  RequestBinding,
  RequestVerifyResult,
  Verifier,
  VerifierOptions,
  VerifyRequestInput,
  VerifyResult,
} from './verifier/types.ts'
