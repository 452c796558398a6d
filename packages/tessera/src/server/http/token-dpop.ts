import {
  type Clock,
  type DpopProof,
  jwsAlgorithms,
  MemoryReplayStore,
  type ReplayStore,
  type ResolvedDpopOptions,
  systemClock,
  validateDpopProof,
} from '@tessera/verify'

/** Finds the DPoP proof key a token request binds its token to, if it sent a proof. */
export type TokenRequestDpop = (
  proof: string | readonly string[] | undefined,
  publicUrl: string,
) => Promise<DpopProof | undefined>

/**
 * Creates the token endpoint's DPoP check (RFC 9449 §5): a request without a `DPoP` header
 * gets a Bearer token (undefined); one with a header must carry exactly one valid proof for
 * `POST ${publicUrl}/oauth2/token` — the public URL, since clients address Tessera by it, not
 * by the listen address — with no `ath` (there is no access token yet) and an unseen `jti`.
 * Proofs are held to the verifier's defaults: 300 s old at most, 5 s leeway, any asymmetric
 * algorithm, 8 KiB; no server nonce is required.
 *
 * @throws {TesseraError} `invalid_dpop_proof`, `dpop_replay`
 */
export function createTokenRequestDpop(
  deps: { readonly replay?: ReplayStore; readonly clock?: Clock } = {},
): TokenRequestDpop {
  const clock = deps.clock ?? systemClock
  const options: ResolvedDpopOptions = Object.freeze({
    maxProofAge: 300,
    leeway: 5,
    algorithms: jwsAlgorithms,
    replay: deps.replay ?? new MemoryReplayStore({ clock }),
    maxProofBytes: 8 * 1024,
  })
  return async (proof, publicUrl) => {
    if (proof === undefined) return undefined
    return validateDpopProof({
      proof,
      method: 'POST',
      url: `${publicUrl}/oauth2/token`,
      options,
      clock,
    })
  }
}
