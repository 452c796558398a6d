import { findClosest, quote, quoteList, redact, redactList } from '@tessera/verify'
import type { CompiledPolicy } from '../compiled.ts'
import { type Explanation, policyError } from '../explanation.ts'
import type { ResolvedTarget } from '../inventory.ts'
import type { Clause, EvaluationContext } from './context.ts'

function coveredAudiences(policy: CompiledPolicy): string[] {
  return [...new Set(policy.targets.flatMap((t) => t.audiences))]
}

// Asked twice per granted request (the clause, then the grant): no list is built for it.
function covers(policy: CompiledPolicy, audience: string): boolean {
  return policy.targets.some((t) => t.audiences.includes(audience))
}

function explainTarget(
  policy: CompiledPolicy,
  target: string | undefined,
  why: string,
): Explanation {
  const covered = coveredAudiences(policy)
  const candidates = [...covered, ...new Set(policy.targets.map((t) => t.service))]
  const hint = target === undefined ? undefined : findClosest(candidates, [target])?.hint
  const shown = target === undefined ? 'no target' : `target ${quote(target)}`
  return {
    message: `${shown} ${why}, expected one of ${quoteList(covered)}`,
    expected: redactList(covered),
    actual: target === undefined ? 'missing' : redact(target),
    ...(hint === undefined ? {} : { hint }),
  }
}

/**
 * The inventory audience to mint for: the requested target (a service name resolves to its
 * first audience the policy covers; an audience must be in the inventory and covered by the
 * policy's targets), or, with no target requested, the policy's only target. Returns why not
 * otherwise.
 */
export function resolveTarget(
  policy: CompiledPolicy,
  context: EvaluationContext,
): ResolvedTarget | Explanation {
  const target = context.request.target
  if (target === undefined) {
    const only = policy.targets.length === 1 ? policy.targets[0] : undefined
    const audience = only?.audiences[0]
    if (only !== undefined && audience !== undefined) return { audience, service: only.service }
    return explainTarget(policy, undefined, 'was requested and the policy has several')
  }
  const entry = context.inventory.resolve(target)
  if (entry === undefined) return explainTarget(policy, target, 'is not in the inventory')
  const audience =
    entry.kind === 'audience'
      ? covers(policy, entry.audience)
        ? entry.audience
        : undefined
      : entry.service.audiences.find((a) => covers(policy, a))
  if (audience === undefined) {
    return explainTarget(policy, target, "is not one of the policy's targets")
  }
  return { audience, service: entry.service.name }
}

/** The requested target must resolve to an inventory audience the policy covers. */
export const targetClause: Clause = (policy, context) => {
  const resolved = resolveTarget(policy, context)
  if ('audience' in resolved) return undefined
  return () => policyError('target_not_allowed', 'target', policy.name, resolved)
}

/** Every requested scope must be one the policy lists (a policy without scopes grants none). */
export const scopeClause: Clause = (policy, context) => {
  const extra = [...new Set(context.request.scopes.filter((s) => !policy.scopes.includes(s)))]
  if (extra.length === 0) return undefined
  return () => {
    const hint = findClosest(policy.scopes, extra)?.hint
    return policyError('scope_not_allowed', 'scope', policy.name, {
      message:
        policy.scopes.length === 0
          ? `scope ${quoteList(extra)} is not allowed: the policy grants no scopes`
          : `scope ${quoteList(extra)} is not allowed, expected a subset of ${quoteList(policy.scopes)}`,
      expected: redactList(policy.scopes),
      actual: redactList(extra),
      ...(hint === undefined ? {} : { hint }),
    })
  }
}
