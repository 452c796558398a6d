import { type CompiledPolicySet, policySetInternals } from './compiled.ts'

/**
 * The lifetime cap (`maxTtlSeconds`) of the allow policy `name`, in seconds: what a dialect
 * that must refuse an over-long request up front (AWS's MaxSessionDuration) compares against.
 * Undefined when the policy sets no cap or no allow policy has that name.
 */
export function policyMaxTtl(set: CompiledPolicySet, name: string): number | undefined {
  return set[policySetInternals].allow.find((policy) => policy.name === name)?.maxTtlSeconds
}
