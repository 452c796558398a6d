import { type Problem, quote, TesseraError } from '@tessera/verify'
import { compilePolicy } from './compile-policy.ts'
import type { CompiledPolicy, CompiledPolicySet } from './compiled.ts'
import { policySetInternals } from './compiled.ts'
import { indexInventory } from './inventory.ts'
import { pointer } from './pointer.ts'
import type { PolicyConfig, PolicyContext } from './types.ts'

/**
 * Compiles the `policies` section against the rest of the configuration, once: every pattern,
 * CEL condition and template is compiled here and never on a request. Checks, each reported
 * with its JSON pointer (`/policies/2/subject`):
 * - duplicate policy names;
 * - an issuer (or `actor.issuer`) that is neither a trusted issuer nor Tessera's own issuer
 *   URL, or that contains `*`, `?`, `[`, `(`, `|`, `^` or `$` (issuers are exact);
 * - an allow policy with neither `subject` (other than `**`) nor `claims`, or without
 *   `targets`; a deny policy with fields only a grant uses;
 * - subject and claim patterns that can never match (see `pattern-checks.ts`);
 * - targets that name no inventory service or audience (with a near-miss hint), duplicated
 *   targets or scopes, scopes that are not RFC 6749 scope tokens;
 * - `maxTtlSeconds` that is not a positive whole number;
 * - CEL conditions that do not parse, do not type-check, are not boolean or break the
 *   evaluation bounds (see `match/cel.ts`);
 * - output templates naming unknown placeholders, output claims Tessera sets itself, and
 *   identity policies whose output subject is not a SPIFFE ID template of the trust domain;
 * - inventory entries that would make a target ambiguous (under `/inventory`).
 *
 * @returns a frozen set for `evaluatePolicies`, exposing `policyNames`, `acceptedAudiences`
 *   and `audiencesFor(target)`.
 * @throws {TesseraError} `invalid_config` with every problem in `problems`.
 * @example
 * ```ts
 * const policies = compilePolicies(file.policies, {
 *   inventory: file.inventory,
 *   trustDomain: 'example.org',
 *   issuerUrl: 'https://tessera.example.org',
 *   trustedIssuers: ['https://token.actions.githubusercontent.com'],
 * })
 * ```
 */
export function compilePolicies(
  policies: readonly PolicyConfig[],
  context: PolicyContext,
): CompiledPolicySet {
  const { index: inventory, problems: inventoryProblems } = indexInventory(context.inventory)
  const problems: Problem[] = [...inventoryProblems]
  const seen = new Set<string>()
  const compiled: CompiledPolicy[] = []
  policies.forEach((policy, i) => {
    if (seen.has(policy.name)) {
      problems.push({
        path: pointer('policies', i, 'name'),
        message: `policy name ${quote(policy.name)} is used by an earlier policy`,
      })
    }
    seen.add(policy.name)
    compiled.push(compilePolicy(policy, i, context, inventory, problems))
  })
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_config',
      message: `policies are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const acceptedAudiences = [...new Set(compiled.flatMap((p) => p.audiences ?? []))]
  return Object.freeze({
    policyNames: Object.freeze(compiled.map((p) => p.name)),
    acceptedAudiences: Object.freeze(acceptedAudiences),
    audiencesFor: (target: string) => inventory.audiencesFor(target),
    [policySetInternals]: Object.freeze({
      allow: Object.freeze(compiled.filter((p) => p.effect === 'allow')),
      deny: Object.freeze(compiled.filter((p) => p.effect === 'deny')),
      inventory,
      trustDomain: context.trustDomain,
    }),
  })
}
