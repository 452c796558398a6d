import { globMatch } from './glob.ts'
import type { ConditionClause } from './trust-policy.ts'

/** The request context: condition key (lower-cased, as IAM compares keys) → its values. */
export type ConditionContext = ReadonlyMap<string, readonly string[]>

/** The outcome of one condition clause. */
export interface ClauseOutcome {
  readonly ok: boolean
  /** The context's values for the key; undefined when the key is not in the request. */
  readonly actual?: readonly string[]
  /** Set when the clause could not be evaluated as written (an operator not modelled). */
  readonly unsupported?: string
}

type Match = (value: string, listed: string) => boolean

const matchers: Readonly<Record<string, Match>> = {
  StringEquals: (v, p) => v === p,
  StringNotEquals: (v, p) => v === p,
  StringEqualsIgnoreCase: (v, p) => v.toLowerCase() === p.toLowerCase(),
  StringNotEqualsIgnoreCase: (v, p) => v.toLowerCase() === p.toLowerCase(),
  StringLike: (v, p) => globMatch(p, v),
  StringNotLike: (v, p) => globMatch(p, v),
}

/** Splits `ForAnyValue:StringLikeIfExists` into its set qualifier, base operator and IfExists. */
export function parseOperator(operator: string): {
  readonly set: 'any' | 'all' | undefined
  readonly base: string
  readonly ifExists: boolean
} {
  let rest = operator
  let set: 'any' | 'all' | undefined
  if (rest.startsWith('ForAnyValue:')) {
    set = 'any'
    rest = rest.slice('ForAnyValue:'.length)
  } else if (rest.startsWith('ForAllValues:')) {
    set = 'all'
    rest = rest.slice('ForAllValues:'.length)
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists'
  return { set, base: ifExists ? rest.slice(0, -'IfExists'.length) : rest, ifExists }
}

/**
 * Evaluates one clause as IAM does. Values listed for a key are OR-ed; a negated operator
 * (`StringNotEquals`, `StringNotLike`) holds when the value matches none of them.
 * A key missing from the request: `…IfExists` and `ForAllValues:` hold, `ForAnyValue:` and
 * the positive operators do not, negated operators do. A multi-valued key without a set
 * qualifier is treated like `ForAnyValue:` (IAM documents set operators for such keys).
 */
export function evaluateClause(clause: ConditionClause, context: ConditionContext): ClauseOutcome {
  const { set, base, ifExists } = parseOperator(clause.operator)
  const actual = context.get(clause.key.toLowerCase())
  const present = actual !== undefined && actual.length > 0
  if (base === 'Null') {
    const wantsAbsent = clause.values.some((v) => v.toLowerCase() === 'true')
    return present ? { ok: !wantsAbsent, actual } : { ok: wantsAbsent }
  }
  const match = Object.hasOwn(matchers, base) ? matchers[base] : undefined
  if (match === undefined)
    return {
      ok: false,
      ...(present ? { actual } : {}),
      unsupported: `condition operator ${JSON.stringify(clause.operator)} is not modelled by tessera doctor`,
    }
  const negated = base.includes('Not')
  if (!present) return { ok: ifExists || set === 'all' || (negated && set !== 'any') }
  const single = (value: string): boolean => {
    const hit = clause.values.some((listed) => match(value, listed))
    return negated ? !hit : hit
  }
  const ok = set === 'all' ? actual.every(single) : actual.some(single)
  return { ok, actual }
}
