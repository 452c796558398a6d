import type { TesseraError } from '@tessera/verify'
import type { CompiledPolicy } from '../compiled.ts'
import type { InventoryIndex } from '../inventory.ts'
import type { ConditionInput } from '../match/cel.ts'
import type { PolicyRequest } from '../types.ts'

/** Everything a clause reads, prepared once per request. */
export interface EvaluationContext {
  readonly request: PolicyRequest
  /** The presented token's `aud` as a list (empty when absent). */
  readonly aud: readonly string[]
  readonly condition: ConditionInput
  readonly inventory: InventoryIndex
}

/**
 * A failed clause, explained only when asked: most failures belong to policies that are not the
 * closest, and explaining (near-miss search, error construction) costs more than matching.
 */
export type Failure = () => TesseraError

/** One clause of a policy: undefined when it passes. */
export type Clause = (policy: CompiledPolicy, context: EvaluationContext) => Failure | undefined

/** Builds the context of one request. */
export function createContext(
  request: PolicyRequest,
  inventory: InventoryIndex,
): EvaluationContext {
  const { aud } = request.subject.claims
  return {
    request,
    aud:
      typeof aud === 'string'
        ? [aud]
        : Array.isArray(aud)
          ? aud.filter((a) => typeof a === 'string')
          : [],
    condition: {
      claims: request.subject.claims,
      header: request.subject.header,
      request: { target: request.target ?? null, scopes: request.scopes },
    },
    inventory,
  }
}
