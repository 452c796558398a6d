import { findClosest, type JwtClaims, quote, redact, TesseraError } from '@tessera/verify'
import { isSpiffeId, redeemJoinToken } from '../issuer/index.ts'
import { evaluatePolicies, type PolicyGrant } from '../policy/index.ts'
import { type AuditBase, allowRecord, describePresented, type Presented } from './audit-record.ts'
import { recordAllow, refuse } from './audited.ts'
import { outputClaims } from './output-claims.ts'
import { presentedToken } from './presented-token.ts'
import { claimSingleUse } from './single-use.ts'
import { tokenSha256 } from './token-hash.ts'
import type { EngineDeps, IdentityRequest, IdentityResult } from './types.ts'

/** What an attestation proved: the workload's SPIFFE ID and what the policy adds. */
interface Attested {
  readonly subject: string
  readonly audience: string
  readonly claims: Readonly<Record<string, unknown>>
  /** Upper bound on the lifetime from the policy, seconds (none for a join token). */
  readonly maxTtlSeconds?: number
}

/**
 * Issues a workload identity token (flow 1 of DESIGN.md): a one-time join token is redeemed
 * for the SPIFFE ID it was created for, or an upstream OIDC token (Kubernetes, CI) is verified
 * and matched against `identity` policies, whose output subject must be a SPIFFE ID in the
 * trust domain. The token is `typ: JWT` with one `aud`; its lifetime is the requested one,
 * capped by `identityTokenTtlSeconds` and the policy. Audited before it is returned or refused.
 *
 * @throws {TesseraError} `invalid_request`, `join_token_invalid`, any verification code, a
 * policy code, `subject_mismatch` (subject not a SPIFFE ID of the trust domain), `replay`,
 * `missing_claim`, `internal_error`
 */
export async function issueIdentity(
  deps: EngineDeps,
  request: IdentityRequest,
  correlationId: string,
): Promise<IdentityResult> {
  // Whole seconds: an injected clock may be fractional, and minted times must not be.
  const now = Math.floor(deps.clock())
  const base: AuditBase = {
    now,
    correlationId,
    kind: 'identity',
    dialect: 'identity',
  }
  // The presented token is described (decoded, hashed) once, when the record is written: from
  // the verified claims once verification got that far, otherwise read unverified and redacted.
  // A request refused by checkRequest presented nothing usable and gets no description.
  let describe: (() => Presented) | undefined
  let verifiedClaims: JwtClaims | undefined
  const withPresented = (): AuditBase =>
    describe === undefined ? base : { ...base, presented: describe() }
  let grant: PolicyGrant | undefined
  try {
    checkRequest(request)
    let attested: Attested
    if (request.joinToken !== undefined) {
      const joinToken = request.joinToken
      describe = () => ({ tokenSha256: tokenSha256(joinToken) })
      attested = await redeem(deps, joinToken, request.audience)
    } else {
      const token = request.subjectToken as string
      describe = () => describePresented(token, verifiedClaims)
      const policies = deps.policies()
      const verified = await deps.verifier.verify(token)
      verifiedClaims = verified.claims
      grant = evaluatePolicies(policies, {
        use: 'identity',
        subject: presentedToken(verified),
        target: request.audience,
        scopes: [],
        ...(request.ttlSeconds === undefined ? {} : { requestedTtlSeconds: request.ttlSeconds }),
      })
      if (grant.singleUse) {
        await claimSingleUse(deps.replay, verified.issuer, verified.claims, now)
      }
      attested = {
        subject: grant.subject,
        audience: grant.audience,
        claims: grant.claims,
        maxTtlSeconds: grant.ttlSeconds,
      }
    }
    const { subject, audience } = attested
    if (!isSpiffeId(subject, deps.settings.trustDomain)) {
      throw new TesseraError({
        code: 'subject_mismatch',
        check: 'identity',
        message: `subject ${quote(subject)} is not a workload SPIFFE ID in trust domain ${quote(deps.settings.trustDomain)}`,
        expected: `spiffe://${deps.settings.trustDomain}/<path>`,
        actual: redact(subject),
      })
    }
    const cap = deps.settings.identityTokenTtlSeconds
    const ttl = Math.min(request.ttlSeconds ?? cap, cap, attested.maxTtlSeconds ?? cap)
    const minted = deps.minter.mint({
      typ: 'JWT',
      claims: outputClaims(attested.claims, { sub: subject, aud: audience, exp: now + ttl }),
    })
    await recordAllow(
      deps.audit,
      allowRecord(withPresented(), grant?.policy, {
        sub: subject,
        aud: audience,
        exp: minted.exp,
        jti: minted.jti,
        tokenSha256: tokenSha256(minted.token),
      }),
    )
    return {
      token: minted.token,
      subject,
      audience,
      expiresIn: minted.exp - now,
      expiresAt: minted.exp,
      correlationId,
    }
  } catch (error) {
    throw await refuse(deps.audit, withPresented(), error, grant?.policy)
  }
}

async function redeem(deps: EngineDeps, joinToken: string, audience: string): Promise<Attested> {
  if (deps.joinTokens === undefined) {
    throw new TesseraError({
      code: 'internal_error',
      check: 'attestation',
      message: 'a join token was presented but the engine was built without a join-token store',
    })
  }
  // Checked before redeeming, so a mistyped audience does not burn the single-use token.
  const resolved = joinAudience(deps, audience)
  const stored = await redeemJoinToken({
    store: deps.joinTokens,
    token: joinToken,
    clock: deps.clock,
  })
  // A join token attests a SPIFFE ID, nothing more: no policy, no mapped claims.
  return { subject: stored.spiffeId, audience: resolved, claims: {} }
}

// No policy speaks for a join token, so its audience is limited to what the inventory (the
// single source of truth for audiences) names, or Tessera itself (to exchange the token next):
// a join token must not yield a token for any audience the workload fancies.
function joinAudience(deps: EngineDeps, audience: string): string {
  if (audience === deps.settings.issuerUrl) return audience
  const found = deps.policies().audiencesFor(audience)
  if (found !== undefined) return found.audience
  const hint = findClosest([deps.settings.issuerUrl], [audience])?.hint
  throw new TesseraError({
    code: 'target_not_allowed',
    check: 'target',
    message: `audience ${quote(audience)} is neither an inventory service or audience nor this issuer ${quote(deps.settings.issuerUrl)}${hint === undefined ? '' : `: ${hint.words}`}`,
    expected: ['an inventory service or audience', deps.settings.issuerUrl],
    actual: redact(audience),
    ...(hint === undefined ? {} : { hint: hint.id }),
  })
}

function checkRequest(request: IdentityRequest): void {
  const given = [request.joinToken, request.subjectToken].filter((t) => t !== undefined)
  if (given.length !== 1 || given[0] === '' || typeof given[0] !== 'string') {
    throw new TesseraError({
      code: 'invalid_request',
      message: 'send exactly one of joinToken or subjectToken (a non-empty string)',
      expected: 'joinToken or subjectToken',
      actual:
        given.length === 2 ? 'both' : given.length === 0 ? 'neither' : 'not a non-empty string',
    })
  }
  if (typeof request.audience !== 'string' || request.audience === '') {
    throw new TesseraError({
      code: 'invalid_request',
      message: 'audience is missing: an identity token is for one audience',
      expected: 'audience',
      actual: 'missing',
    })
  }
  const ttl = request.ttlSeconds
  if (ttl !== undefined && (!Number.isSafeInteger(ttl) || ttl < 1)) {
    throw new TesseraError({
      code: 'invalid_request',
      message: `ttlSeconds ${quote(ttl)} is not a positive whole number of seconds`,
      expected: 'a positive integer',
      actual: redact(ttl),
    })
  }
}
