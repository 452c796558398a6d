import { quote, redact, TesseraError } from '@tessera/verify'
import { actorClause } from './clauses/actor.ts'
import { conditionClause } from './clauses/condition.ts'
import {
  type Clause,
  createContext,
  type EvaluationContext,
  type Failure,
} from './clauses/context.ts'
import { audienceClause, claimsClause, explainNoIssuer, subjectClause } from './clauses/identity.ts'
import { resolveTarget, scopeClause, targetClause } from './clauses/request.ts'
import { type CompiledPolicy, type CompiledPolicySet, policySetInternals } from './compiled.ts'
import { policyError } from './explanation.ts'
import { buildGrant } from './grant.ts'
import type { ResolvedTarget } from './inventory.ts'
import { evaluateCondition } from './match/cel.ts'
import type { PolicyGrant, PolicyRequest } from './types.ts'

// The clause order after issuer; a policy failing later in it is "closer" to being satisfied.
const clauses: readonly Clause[] = [
  audienceClause,
  subjectClause,
  claimsClause,
  conditionClause,
  actorClause,
  targetClause,
  scopeClause,
]

// What a deny policy matches on: identity and condition, never the request.
const denyClauses: readonly Clause[] = [audienceClause, subjectClause, claimsClause]

function applies(policy: CompiledPolicy, request: PolicyRequest): boolean {
  return policy.use === undefined || policy.use === request.use
}

// A dialect's implied policy stands for that dialect's own pre-checks (Entra's credential
// match, Google's provider and service-account lookups): reached any other way — an AWS role,
// the generic /oauth2/token — it would grant without them.
function reachable(policy: CompiledPolicy, request: PolicyRequest): boolean {
  if (policy.dialect === undefined)
    return request.policy === undefined || policy.name === request.policy
  return policy.name === request.policy && policy.dialect === request.dialect
}

function denyMatches(policy: CompiledPolicy, context: EvaluationContext): boolean {
  if (policy.issuer !== context.request.subject.issuer) return false
  if (denyClauses.some((clause) => clause(policy, context) !== undefined)) return false
  if (policy.condition === undefined) return true
  const outcome = evaluateCondition(policy.condition, context.condition)
  // Only a condition that evaluated to false spares the token: an error still denies (fail closed).
  return outcome.passed || outcome.actual !== 'false'
}

function denied(
  policy: CompiledPolicy,
  context: EvaluationContext,
  audience?: string,
): TesseraError {
  const sub = context.request.subject.claims.sub
  const shownSub = typeof sub === 'string' ? redact(sub) : 'missing'
  return policyError('policy_denied', 'deny', policy.name, {
    message: `the deny rule matches iss ${quote(context.request.subject.issuer)} sub ${quote(shownSub)}${audience === undefined ? '' : ` for target audience ${quote(audience)}`}`,
    actual: shownSub,
  })
}

function checkTtl(request: PolicyRequest): void {
  const ttl = request.requestedTtlSeconds
  if (ttl === undefined || (Number.isSafeInteger(ttl) && ttl > 0)) return
  throw new TesseraError({
    code: 'invalid_request',
    check: 'ttl',
    message: `requested lifetime ${redact(String(ttl))} is not a positive whole number of seconds`,
    expected: 'a positive whole number of seconds',
    actual: redact(String(ttl)),
  })
}

/**
 * Decides a request against a compiled policy set and returns what to mint.
 *
 * Deny policies run first (those for the request's `use`, or without one): any whose issuer,
 * audience, subject, claims and condition match denies with `policy_denied`; a deny limited to
 * `targets` denies when the granted audience is one of them. Then the allow policies for the
 * request's `use`, in configuration order, each clause in the order issuer → audience →
 * subject → claims → condition → actor → target → scope: the first policy that passes every
 * clause wins. A policy a `clouds` dialect implies (compiled `dialect`) is a candidate only
 * when the request names it (`policy`) and comes from that dialect. When none does, the error is that of the closest policy — the one that failed at
 * the latest clause, the first in configuration order among equals — with the clause as
 * `check`; when no policy names the token's issuer, `no_matching_policy`.
 *
 * @throws {TesseraError} `policy_denied`, `no_matching_policy`, `audience_mismatch`,
 *   `subject_mismatch`, `claim_mismatch`, `condition_failed`, `actor_not_allowed`,
 *   `target_not_allowed`, `scope_not_allowed`, and `invalid_request` for a requested lifetime
 *   that is not a positive whole number.
 * @example
 * ```ts
 * const grant = evaluatePolicies(config.policies, {
 *   use: 'exchange',
 *   subject: { issuer: result.claims.iss, claims: result.claims, header: result.header },
 *   target: 'payments-api',
 *   scopes: ['payments.read'],
 * })
 * ```
 */
export function evaluatePolicies(set: CompiledPolicySet, request: PolicyRequest): PolicyGrant {
  checkTtl(request)
  const internals = set[policySetInternals]
  const context = createContext(request, internals.inventory)
  const limitedDenies: CompiledPolicy[] = []
  for (const policy of internals.deny) {
    if (!applies(policy, request) || !denyMatches(policy, context)) continue
    if (policy.targets.length === 0) throw denied(policy, context)
    limitedDenies.push(policy)
  }
  const candidates = internals.allow.filter(
    (policy) => applies(policy, request) && reachable(policy, request),
  )
  let closest: { readonly at: number; readonly failure: Failure } | undefined
  for (const policy of candidates) {
    if (policy.issuer !== request.subject.issuer) continue
    let passed = true
    for (const [at, clause] of clauses.entries()) {
      const failure = clause(policy, context)
      if (failure === undefined) continue
      // Strictly later only: among policies failing at the same clause the first one is kept.
      if (closest === undefined || at > closest.at) closest = { at, failure }
      passed = false
      break
    }
    if (!passed) continue
    // The target clause passed, so the target resolves.
    const target = resolveTarget(policy, context) as ResolvedTarget
    const grant = buildGrant(policy, context, target, internals.trustDomain)
    const deny = limitedDenies.find((d) =>
      d.targets.some((t) => t.audiences.includes(grant.audience)),
    )
    if (deny !== undefined) throw denied(deny, context, grant.audience)
    return grant
  }
  if (closest === undefined) throw explainNoIssuer(candidates, request)
  throw closest.failure()
}
