import { policyError } from '../explanation.ts'
import { evaluateCondition } from '../match/cel.ts'
import type { Clause } from './context.ts'

/**
 * The CEL condition must evaluate to `true`. Denied with the author's message as written; an
 * evaluation error or a non-boolean result adds what happened (the error's class and code).
 */
export const conditionClause: Clause = (policy, context) => {
  const condition = policy.condition
  if (condition === undefined) return undefined
  const outcome = evaluateCondition(condition, context.condition)
  if (outcome.passed) return undefined
  return () => {
    const message =
      outcome.reason === undefined ? condition.message : `${condition.message}: ${outcome.reason}`
    return policyError(
      'condition_failed',
      'condition',
      policy.name,
      { message, expected: 'true', actual: outcome.actual },
      { prefix: false },
    )
  }
}
