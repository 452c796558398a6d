import type { InventoryIndex } from './inventory.ts'
import type { Template } from './map-claims.ts'
import type { CompiledCondition } from './match/cel.ts'
import type { CompiledClaim } from './match/claims.ts'
import type { Glob } from './match/glob.ts'

/** A policy target resolved against the inventory: the audiences it covers. */
export interface CompiledTarget {
  /** The target as written in the policy (a service name or an audience). */
  readonly written: string
  readonly service: string
  /** A service name covers all its audiences, in inventory order; an audience only itself. */
  readonly audiences: readonly string[]
}

/** The `actor` clause, compiled. */
export interface CompiledActor {
  readonly issuer: string
  readonly subject?: Glob
  readonly requireMayAct: boolean
}

/** One policy after compilation: defaults applied, patterns and CEL compiled, targets resolved. */
export interface CompiledPolicy {
  readonly name: string
  /** A `clouds` dialect's implied policy: usable only by that dialect's requests naming it. */
  readonly dialect?: string
  readonly effect: 'allow' | 'deny'
  /** Undefined only for a deny policy without `use`: it applies to every use. */
  readonly use: 'exchange' | 'identity' | undefined
  readonly issuer: string
  /** Accepted presented `aud`; undefined only for a deny policy without `audience` (any). */
  readonly audiences: readonly string[] | undefined
  readonly subject?: Glob
  readonly claims: readonly CompiledClaim[]
  readonly condition?: CompiledCondition
  readonly actor?: CompiledActor
  /** Allow: the grantable targets. Deny: empty, or the targets the deny is limited to. */
  readonly targets: readonly CompiledTarget[]
  readonly scopes: readonly string[]
  readonly maxTtlSeconds?: number
  readonly outputSubject?: Template
  readonly outputClaims: readonly (readonly [name: string, template: Template])[]
  readonly singleUse: boolean
}

/** Key of a compiled set's internals; not exported from the part, so only compile makes sets. */
export const policySetInternals: unique symbol = Symbol('tessera.policy.set')

/** What `evaluatePolicies` needs from a compiled set. */
export interface PolicySetInternals {
  /** Allow policies, in configuration order. */
  readonly allow: readonly CompiledPolicy[]
  /** Deny policies, in configuration order. */
  readonly deny: readonly CompiledPolicy[]
  readonly inventory: InventoryIndex
  readonly trustDomain: string
}

/**
 * Policies compiled against their context: opaque to other parts apart from the names, the
 * presented-token audiences the policies accept, and inventory lookups.
 */
export interface CompiledPolicySet {
  /** Every policy name, in configuration order. */
  readonly policyNames: readonly string[]
  /**
   * The union of the policies' accepted presented-token audiences (`audience`, default
   * Tessera's own issuer URL for allow policies) — what the exchange engine's verifier accepts.
   */
  readonly acceptedAudiences: readonly string[]
  /**
   * The inventory audience a target names: a service name resolves to its first audience, an
   * audience identifier to itself; undefined when the inventory has neither.
   */
  audiencesFor(target: string): { readonly audience: string; readonly service: string } | undefined
  readonly [policySetInternals]: PolicySetInternals
}
