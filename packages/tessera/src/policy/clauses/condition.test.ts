import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from '../compile.ts'
import { evaluatePolicies } from '../evaluate.ts'
import { policyOf } from '../explanation.ts'
import { ciDeploy, context, exchange, presented, rejection, shown } from '../testing/fixtures.ts'

function withCondition(expression: string) {
  return compilePolicies(
    [{ ...ciDeploy, condition: { expression, message: 'denied by the condition' } }],
    context,
  )
}

describe('condition clause', () => {
  it("refuses with condition_failed and the author's message when the condition is false", () => {
    const set = compilePolicies([ciDeploy], context)
    const error = rejection(() =>
      evaluatePolicies(set, exchange({ subject: presented({ run_attempt: '2' }) })),
    )
    assert.deepEqual(shown(error), {
      code: 'condition_failed',
      check: 'condition',
      expected: 'true',
      actual: 'false',
      hint: undefined,
    })
    assert.equal(error.message, 'first attempts only')
    assert.equal(policyOf(error), 'ci-deploy')
  })

  it('refuses, naming the error class and code, when evaluation fails', () => {
    const set = withCondition("claims.environment == 'prod'")
    const error = rejection(() => evaluatePolicies(set, exchange()))
    assert.deepEqual(shown(error), {
      code: 'condition_failed',
      check: 'condition',
      expected: 'true',
      actual: 'error: EvaluationError no_such_key',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'denied by the condition: the condition could not be evaluated (EvaluationError no_such_key)',
    )
  })

  it('refuses a dyn result that is not a boolean', () => {
    const set = withCondition('claims.repository')
    const error = rejection(() => evaluatePolicies(set, exchange()))
    assert.deepEqual(shown(error), {
      code: 'condition_failed',
      check: 'condition',
      expected: 'true',
      actual: 'not a bool: string',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'denied by the condition: the condition returned a string, not a bool',
    )
  })

  it('sees the request target and scopes and the token header', () => {
    const set = withCondition(
      "request.target == 'payments-api' && 'payments.read' in request.scopes && header.alg == 'RS256'",
    )
    assert.equal(evaluatePolicies(set, exchange({ scopes: ['payments.read'] })).policy, 'ci-deploy')
    assert.equal(
      rejection(() => evaluatePolicies(set, exchange({ scopes: ['payments.write'] }))).code,
      'condition_failed',
    )
  })
})
