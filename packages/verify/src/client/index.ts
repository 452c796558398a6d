/**
 * @module @tessera/verify/client — the caller's side: a token source that caches and refreshes
 * tokens lazily (single-flight, jittered refresh, backoff), fetchers for Tessera's token and
 * identity endpoints, a fetch wrapper that adds the token, and DPoP proof creation.
 */

export { type CreateDpopProofInput, createDpopProof } from '../dpop/create-proof.ts'
export { generateDpopKeyPair } from '../dpop/generate-key-pair.ts'
export type { DpopKeyPair } from '../dpop/types.ts'
export type { BackoffOptions } from './backoff.ts'
export { type ExchangeFetcherOptions, tesseraExchangeFetcher } from './exchange-fetcher.ts'
export {
  type IdentityAttestation,
  type IdentityFetcherOptions,
  tesseraIdentityFetcher,
} from './identity-fetcher.ts'
export {
  createTokenSource,
  type FetchContext,
  type FetchedToken,
  type TokenFetcher,
  type TokenSource,
  type TokenSourceOptions,
} from './token-source.ts'
export { withTokens } from './with-tokens.ts'
