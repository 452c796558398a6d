import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  type CompiledCondition,
  compileCondition,
  evaluateCondition,
  maxExpressionChars,
} from './cel.ts'

function compiled(expression: string): CompiledCondition {
  const result = compileCondition({ expression, message: 'm' })
  assert.ok('condition' in result, `expected ${expression} to compile`)
  return result.condition
}

function problem(expression: string): string {
  const result = compileCondition({ expression, message: 'm' })
  assert.ok('problem' in result, `expected ${expression} to be refused`)
  return result.problem
}

const input = {
  claims: { run_attempt: '1', n: 3, groups: ['a', 'b'] },
  header: { alg: 'ES256' },
  request: { target: 'payments-api', scopes: ['payments.read'] },
}

describe('compileCondition', () => {
  it('compiles a boolean expression over claims, header and request', () => {
    const condition = compiled(
      "claims.run_attempt == '1' && header.alg == 'ES256' && request.target == 'payments-api'",
    )
    assert.deepEqual(evaluateCondition(condition, input), { passed: true })
  })

  it('accepts optional chaining for claims that may be absent', () => {
    assert.deepEqual(evaluateCondition(compiled("claims.?env.orValue('prod') == 'prod'"), input), {
      passed: true,
    })
  })

  it('refuses an expression that does not parse, naming the offset', () => {
    assert.equal(
      problem('claims.n >'),
      'CEL expression does not parse: Unexpected token: EOF (at offset 10)',
    )
  })

  it('refuses an expression over the node limit', () => {
    const long = Array.from({ length: 200 }, (_, i) => `claims.n == ${i}`).join(' || ')
    assert.match(problem(long), /^CEL expression does not parse: Exceeded maxAstNodes \(256\)/)
  })

  it('refuses an expression longer than the character limit', () => {
    assert.equal(
      problem(`'${'a'.repeat(maxExpressionChars)}' == ''`),
      `CEL expression is ${maxExpressionChars + 8} characters long, at most ${maxExpressionChars} are allowed`,
    )
  })

  it('refuses a non-boolean type', () => {
    assert.equal(
      problem('1 + 2'),
      'CEL expression evaluates to int, a condition must evaluate to bool',
    )
  })

  it('refuses matches(), in both call forms', () => {
    const why =
      'matches() is not allowed: its regular expression backtracks without bound on token values; use a glob in claims, or startsWith, endsWith, contains'
    assert.equal(problem("claims.run_attempt.matches('^1$')"), why)
    assert.equal(problem("matches(claims.run_attempt, '^1$')"), why)
  })

  it('refuses a comprehension nested in another, also inside its receiver', () => {
    assert.equal(
      problem('claims.groups.exists(g, claims.groups.filter(h, h == g).size() > 1)'),
      'filter() inside another comprehension is not allowed: nested loops over token lists are unbounded work',
    )
    assert.equal(
      problem("claims.groups.map(g, g + 'x').exists(h, h.matches('x'))"),
      'matches() is not allowed: its regular expression backtracks without bound on token values; use a glob in claims, or startsWith, endsWith, contains',
    )
  })

  it('accepts sequential comprehensions', () => {
    const condition = compiled(
      "claims.groups.exists(g, g == 'a') && claims.groups.all(g, g.size() == 1)",
    )
    assert.deepEqual(evaluateCondition(condition, input), { passed: true })
  })
})

describe('evaluateCondition', () => {
  it('fails with actual false when the expression is false', () => {
    assert.deepEqual(evaluateCondition(compiled('claims.n > 5'), input), {
      passed: false,
      actual: 'false',
    })
  })

  it('turns an evaluation error into a failure naming the class and code, never a throw', () => {
    assert.deepEqual(evaluateCondition(compiled("claims.missing == 'x'"), input), {
      passed: false,
      actual: 'error: EvaluationError no_such_key',
      reason: 'the condition could not be evaluated (EvaluationError no_such_key)',
    })
  })

  it('fails a dyn result that is not boolean, in CEL type names', () => {
    assert.deepEqual(evaluateCondition(compiled('claims.n'), input), {
      passed: false,
      actual: 'not a bool: double',
      reason: 'the condition returned a double, not a bool',
    })
    assert.deepEqual(evaluateCondition(compiled('claims.groups'), input), {
      passed: false,
      actual: 'not a bool: object',
      reason: 'the condition returned an object, not a bool',
    })
    assert.deepEqual(evaluateCondition(compiled('dyn(1)'), input), {
      passed: false,
      actual: 'not a bool: int',
      reason: 'the condition returned an int, not a bool',
    })
    assert.deepEqual(evaluateCondition(compiled('dyn(null)'), input), {
      passed: false,
      actual: 'not a bool: null',
      reason: 'the condition returned a null, not a bool',
    })
  })

  it('fails, never throws, when the program throws a non-Error', () => {
    const throwing = Object.assign(
      () => {
        throw 'boom'
      },
      { ast: compiled('true').program.ast, check: compiled('true').program.check },
    )
    assert.deepEqual(
      evaluateCondition({ expression: 'x', message: 'm', program: throwing }, input),
      {
        passed: false,
        actual: 'error: string',
        reason: 'the condition could not be evaluated (string)',
      },
    )
  })
})
