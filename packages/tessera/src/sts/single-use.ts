import { type JwtClaims, quote, type ReplayStore, redact, TesseraError } from '@tessera/verify'

/** Seconds past `exp` a used `jti` is remembered: the verifier's default leeway. */
export const singleUseLeewaySeconds = 60

/**
 * Records a verified subject token as used, for policies with `singleUse`. Called after every
 * other check has passed, so a request refused for any other reason never burns the token.
 * The key is namespaced (`subject:`) and keyed on issuer and `jti` together, since `jti` is
 * unique only per issuer (RFC 7519 §4.1.7).
 *
 * @throws {TesseraError} `missing_claim` without a `jti`; `replay` when it was used before
 */
export async function claimSingleUse(
  replay: ReplayStore,
  issuer: string,
  claims: JwtClaims,
  now: number,
): Promise<void> {
  const jti = claims.jti
  if (typeof jti !== 'string' || jti === '') {
    throw new TesseraError({
      code: 'missing_claim',
      check: 'replay',
      message: 'jti is missing: the policy accepts each token once, which needs a unique jti',
      expected: 'jti (a unique string)',
      actual: 'missing',
    })
  }
  // The verifier requires exp; `now` only bounds memory should a token ever lack it.
  const until = (claims.exp ?? now) + singleUseLeewaySeconds
  if (await replay.use(`subject:${issuer}\u0000${jti}`, until)) return
  throw new TesseraError({
    code: 'replay',
    message: `jti ${quote(jti)} was already exchanged once: the policy accepts each token once`,
    expected: 'a jti not seen before',
    actual: redact(jti),
  })
}
