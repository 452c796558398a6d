import { detectHint, quote, redact } from '@tessera/verify'
import type { CompiledActor } from '../compiled.ts'
import { type Explanation, policyError } from '../explanation.ts'
import type { PresentedToken } from '../types.ts'
import type { Clause } from './context.ts'
import { explainPattern } from './identity.ts'

function shownSub(token: PresentedToken): string {
  const sub = token.claims.sub
  return typeof sub === 'string' ? redact(sub) : 'missing'
}

// RFC 8693 §4.4: may_act names who may act for the subject, by sub and optionally iss.
function checkMayAct(subject: PresentedToken, actor: PresentedToken): Explanation | undefined {
  const mayAct = subject.claims.may_act
  const actorSub = typeof actor.claims.sub === 'string' ? actor.claims.sub : undefined
  const expectedSub = `may_act.sub=${actorSub ?? 'missing'}`
  if (mayAct === null || typeof mayAct !== 'object' || Array.isArray(mayAct)) {
    return {
      message: `may_act is missing from the subject token, expected it to name the actor's sub ${quote(actorSub ?? 'missing')}`,
      expected: redact(expectedSub),
      actual: 'missing',
    }
  }
  const named = mayAct as Readonly<Record<string, unknown>>
  if (actorSub === undefined || named.sub !== actorSub) {
    const hint =
      typeof named.sub === 'string' && actorSub !== undefined
        ? detectHint(actorSub, named.sub)
        : undefined
    return {
      message: `may_act.sub ${named.sub === undefined ? 'is missing' : quote(named.sub)} is not the actor's sub ${quote(actorSub ?? 'missing')}`,
      expected: redact(expectedSub),
      actual: named.sub === undefined ? 'missing' : redact(`may_act.sub=${redact(named.sub)}`),
      ...(hint === undefined ? {} : { hint }),
    }
  }
  if (named.iss !== undefined && named.iss !== actor.issuer) {
    const hint = typeof named.iss === 'string' ? detectHint(actor.issuer, named.iss) : undefined
    return {
      message: `may_act.iss ${quote(named.iss)} is not the actor's iss ${quote(actor.issuer)}`,
      expected: redact(`may_act.iss=${actor.issuer}`),
      actual: redact(`may_act.iss=${redact(named.iss)}`),
      ...(hint === undefined ? {} : { hint }),
    }
  }
  return undefined
}

function checkActor(
  allowed: CompiledActor,
  subject: PresentedToken,
  actor: PresentedToken,
): Explanation | undefined {
  if (actor.issuer !== allowed.issuer) {
    const hint = detectHint(allowed.issuer, actor.issuer)
    return {
      message: `actor iss ${quote(actor.issuer)} is not ${quote(allowed.issuer)}`,
      expected: redact(allowed.issuer),
      actual: redact(actor.issuer),
      ...(hint === undefined ? {} : { hint }),
    }
  }
  const sub = actor.claims.sub
  if (allowed.subject !== undefined && !(typeof sub === 'string' && allowed.subject.matches(sub))) {
    return explainPattern('actor sub', allowed.subject, sub)
  }
  return allowed.requireMayAct ? checkMayAct(subject, actor) : undefined
}

/**
 * Delegation (RFC 8693 `actor_token`): with no actor presented the clause passes; with one, the
 * policy must allow an actor, the actor's `iss` must be its issuer, its `sub` must match its
 * subject pattern when set, and with `requireMayAct` the subject token's `may_act` must name the
 * actor (`sub`, and `iss` when present).
 */
export const actorClause: Clause = (policy, context) => {
  const { actor, subject } = context.request
  if (actor === undefined) return undefined
  const allowed = policy.actor
  if (allowed === undefined) {
    return () =>
      policyError('actor_not_allowed', 'actor', policy.name, {
        message: `an actor token (iss ${quote(actor.issuer)}, sub ${quote(shownSub(actor))}) was presented, but the policy allows no delegation`,
        expected: 'no actor',
        actual: shownSub(actor),
      })
  }
  const explanation = checkActor(allowed, subject, actor)
  if (explanation === undefined) return undefined
  return () => policyError('actor_not_allowed', 'actor', policy.name, explanation)
}
