import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileCel, conjuncts, equalityOf, runCel } from './cel.ts'

function run(expression: string, input: Parameters<typeof runCel>[1]) {
  const program = compileCel(expression)
  if ('problem' in program) throw new Error(program.problem)
  return runCel(program, input)
}

describe('GCP CEL', () => {
  it('evaluates mappings over assertion and conditions over google and attribute', () => {
    assert.deepEqual(run("'gh::' + assertion.sub", { assertion: { sub: 'x' } }), { value: 'gh::x' })
    assert.deepEqual(
      run("google.subject == 's' && attribute.repo == 'r' && 'google' != 'x'", {
        assertion: {},
        google: { subject: 's' },
        attribute: { repo: 'r' },
      }),
      { value: true },
    )
    assert.deepEqual(run('"google.subject" + \'\\\'\' + """g"""', { assertion: {} }), {
      value: "google.subject'g",
    })
  })

  it('reports an evaluation error instead of throwing', () => {
    const outcome = run('assertion.missing', { assertion: {} })
    assert.ok('error' in outcome)
    assert.match(outcome.error, /^EvaluationError no_such_key/)
  })

  it('says why an expression does not parse', () => {
    const compiled = compileCel("assertion.sub == 'x")
    assert.ok('problem' in compiled)
    assert.match(compiled.problem, /^CEL expression does not parse/)
  })

  it('splits top-level conjuncts only', () => {
    assert.deepEqual(conjuncts("a == 'x&&y' && (b || c && d) && [1][0] == 1"), [
      "a == 'x&&y'",
      '(b || c && d)',
      '[1][0] == 1',
    ])
  })

  it('reads equality clauses on either side', () => {
    assert.deepEqual(equalityOf("assertion.ref == 'refs/heads/main'"), {
      operand: 'assertion.ref',
      literal: 'refs/heads/main',
    })
    assert.deepEqual(equalityOf('"acme" == assertion.repository_owner'), {
      operand: 'assertion.repository_owner',
      literal: 'acme',
    })
    assert.equal(equalityOf("assertion.ref.startsWith('refs/')"), undefined)
  })
})
