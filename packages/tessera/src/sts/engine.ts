import { randomUUID } from 'node:crypto'
import type { JwtClaims } from '@tessera/verify'
import { evaluatePolicies, type PolicyGrant } from '../policy/index.ts'
import { buildActClaim } from './act-claim.ts'
import { type AuditBase, allowRecord, describePresented } from './audit-record.ts'
import { recordAllow, refuse } from './audited.ts'
import {
  type CanonicalExchange,
  type IssuedTokenType,
  tokenTypes,
  validateCanonicalExchange,
} from './canonical.ts'
import { issueIdentity } from './identity.ts'
import { outputClaims } from './output-claims.ts'
import { checkPresentedBinding } from './presented-binding.ts'
import { presentedToken, verifySubject } from './presented-token.ts'
import { refuseRequest } from './refused-request.ts'
import { claimSingleUse } from './single-use.ts'
import { resolveTarget } from './target.ts'
import { tokenSha256 } from './token-hash.ts'
import type { EngineDeps, ExchangeEngine, ExchangeResult } from './types.ts'

/**
 * Creates the exchange engine: the one place that turns a verified identity into a Tessera
 * token, for every dialect and for workload identity. Each request is decided in this order —
 * request shape → verify subject (and actor) → policy → single use → mint → audit — and every
 * answer, allow or deny, is written to the audit sink before it is given.
 *
 * @example
 * const engine = createExchangeEngine({ verifier, policies: () => config.policies, minter,
 *   replay, audit, settings, clock: systemClock })
 * const result = await engine.exchange(parseTokenExchange(form, headers))
 */
export function createExchangeEngine(deps: EngineDeps): ExchangeEngine {
  const newCorrelationId = deps.newCorrelationId ?? randomUUID
  return Object.freeze({
    exchange: (request: CanonicalExchange) =>
      exchange(deps, request, request.correlationId || newCorrelationId()),
    issueIdentity: (request) =>
      issueIdentity(deps, request, request.correlationId || newCorrelationId()),
    refuse: (request, error) =>
      refuseRequest(deps, request, error, request.correlationId || newCorrelationId()),
  } satisfies ExchangeEngine)
}

async function exchange(
  deps: EngineDeps,
  request: CanonicalExchange,
  correlationId: string,
): Promise<ExchangeResult> {
  // Whole seconds: an injected clock may be fractional, and minted times must not be.
  const now = Math.floor(deps.clock())
  const base: AuditBase = {
    now,
    correlationId,
    kind: 'exchange',
    dialect: request.dialect,
    // What the caller claims to be, for the record only: clients are not authenticated.
    ...(request.clientId === undefined ? {} : { clientId: request.clientId }),
  }
  // The presented token is described (decoded, hashed) once, when the record is written: from
  // the verified claims once verification got that far, otherwise read unverified and redacted.
  let subjectClaims: JwtClaims | undefined
  let actorClaims: JwtClaims | undefined
  const withPresented = (): AuditBase =>
    typeof request.subjectToken === 'string' && request.subjectToken !== ''
      ? { ...base, presented: describePresented(request.subjectToken, subjectClaims, actorClaims) }
      : base
  let grant: PolicyGrant | undefined
  try {
    validateCanonicalExchange(request)
    // One snapshot of the policies per request: a reload mid-request cannot mix two configs.
    const policies = deps.policies()
    const target = resolveTarget(request, policies)
    const subject = await verifySubject(deps, request)
    subjectClaims = subject.claims
    // A DPoP-bound token must come with its proof, or it would be exchanged as a bearer token.
    // SAML claims are the IdP's attributes: an attribute named cnf is no confirmation.
    if (subject.saml === undefined)
      checkPresentedBinding(subject.claims, request.dpopJkt, 'subject')
    const actor =
      request.actorToken === undefined ? undefined : await deps.verifier.verify(request.actorToken)
    actorClaims = actor?.claims
    if (actor !== undefined) checkPresentedBinding(actor.claims, request.dpopJkt, 'actor')
    grant = evaluatePolicies(policies, {
      use: 'exchange',
      subject: subject.presented,
      ...(actor === undefined ? {} : { actor: presentedToken(actor) }),
      ...(target === undefined ? {} : { target }),
      scopes: request.scopes,
      ...(request.policy === undefined ? {} : { policy: request.policy }),
      dialect: request.dialect,
      ...(subject.ttlSeconds === undefined ? {} : { requestedTtlSeconds: subject.ttlSeconds }),
    })
    // A SAML attribute named act is the IdP's data, never a delegation chain.
    const act = buildActClaim(subject.saml === undefined ? subject.claims : {}, actor)
    // Last check before minting, so a request refused for any other reason never burns the jti.
    // A SAML assertion is single use already: validation recorded its ID.
    if (grant.singleUse && subject.saml === undefined) {
      await claimSingleUse(deps.replay, subject.issuer, subject.claims, now)
    }
    // Capped by the policy and the issuer setting only. Not by the subject token's remaining
    // lifetime: the new token is a separate credential whose lifetime the policy governs
    // (RFC 8693 does not tie them), and a CI token minutes from expiry must still yield a
    // usable one. Revoking access is the policy's job, not an accident of timing.
    const ttl = Math.min(grant.ttlSeconds, deps.settings.accessTokenTtlSeconds)
    const scope = grant.scopes.length === 0 ? undefined : grant.scopes.join(' ')
    // RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti (iss, iat and jti from the minter).
    // client_id is the granting policy's name, never the client id the caller sent: Tessera
    // authenticates the subject token, not the client (a client secret is ignored), so a
    // caller-chosen client_id would let anyone name themselves any client to the resource
    // server. The policy is what authorised the request; the claimed id is in the audit record.
    const minted = deps.minter.mint({
      typ: 'at+jwt',
      claims: outputClaims(grant.claims, {
        sub: grant.subject,
        aud: grant.audience,
        client_id: grant.policy,
        scope,
        exp: now + ttl,
        act,
        // RFC 9449 §6.1: a token bound to the proof key the transport validated.
        cnf: request.dpopJkt === undefined ? undefined : { jkt: request.dpopJkt },
      }),
    })
    await recordAllow(
      deps.audit,
      allowRecord(withPresented(), grant.policy, {
        sub: grant.subject,
        aud: grant.audience,
        ...(scope === undefined ? {} : { scope }),
        exp: minted.exp,
        jti: minted.jti,
        tokenSha256: tokenSha256(minted.token),
      }),
    )
    return {
      accessToken: minted.token,
      issuedTokenType: (request.requestedTokenType ?? tokenTypes.accessToken) as IssuedTokenType,
      tokenType: request.dpopJkt === undefined ? 'Bearer' : 'DPoP',
      expiresIn: minted.exp - now,
      ...(scope === undefined ? {} : { scope }),
      correlationId,
      ...(subject.saml === undefined ? {} : { saml: subject.saml }),
    }
  } catch (error) {
    throw await refuse(deps.audit, withPresented(), error, grant?.policy)
  }
}
