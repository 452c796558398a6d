import type { JsonWebKey, KeyObject } from 'node:crypto'
import type { ReplayStore } from '../replay/replay-store.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'

/** DPoP (RFC 9449) settings of a verifier; present means the `DPoP` scheme is accepted. */
export interface DpopOptions {
  /** Oldest proof accepted, in seconds since its iat (default 300). */
  readonly maxProofAge?: number
  /** Clock tolerance for the proof's iat, in seconds (default 5): iat ∈ [now − maxProofAge − leeway, now + leeway]. */
  readonly leeway?: number
  /** Algorithms accepted for proofs (default: every asymmetric algorithm). */
  readonly algorithms?: readonly JwsAlgorithm[]
  /** Memory of proof jtis (default: a `MemoryReplayStore` on the verifier's clock). */
  readonly replay?: ReplayStore
  /** Server nonces (RFC 9449 §8); absent: proofs need no nonce. */
  readonly nonce?: DpopNonceSource
  /** Largest proof accepted, in bytes (default 8 KiB). */
  readonly maxProofBytes?: number
}

/** DPoP options after validation: complete and frozen. */
export interface ResolvedDpopOptions {
  readonly maxProofAge: number
  readonly leeway: number
  readonly algorithms: readonly JwsAlgorithm[]
  readonly replay: ReplayStore
  readonly nonce?: DpopNonceSource
  readonly maxProofBytes: number
}

/** Hands out server nonces for DPoP proofs and recognises them (RFC 9449 §8). */
export interface DpopNonceSource {
  /** The nonce to hand out now (the `DPoP-Nonce` response header). */
  current(): string | Promise<string>
  /** True for the current nonce or one that was current recently. */
  isValid(nonce: string): boolean | Promise<boolean>
}

/** A client's DPoP key: the private key that signs proofs and the public JWK they carry. */
export interface DpopKeyPair {
  readonly privateKey: KeyObject
  /** Public members only; this is the `jwk` header of every proof. */
  readonly publicJwk: JsonWebKey
  readonly alg: JwsAlgorithm
}

/** What a valid proof establishes. */
export interface DpopProof {
  /** RFC 7638 SHA-256 thumbprint of the proof key: the value a bound token's `cnf.jkt` holds. */
  readonly jkt: string
  /** The proof's public key (public members only). */
  readonly jwk: JsonWebKey
  readonly jti: string
  readonly iat: number
}

/** Default largest DPoP proof, in bytes. */
export const defaultMaxProofBytes = 8 * 1024
/** Default oldest proof, in seconds. */
export const defaultMaxProofAge = 300
/** Default clock tolerance for proofs, in seconds. */
export const defaultProofLeeway = 5
