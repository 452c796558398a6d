import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileClaim, explainClaim, matchClaim } from './claims.ts'

describe('matchClaim', () => {
  it('matches a string exactly or by glob', () => {
    assert.equal(
      matchClaim(compileClaim('ref', 'refs/heads/main'), { ref: 'refs/heads/main' }),
      true,
    )
    assert.equal(matchClaim(compileClaim('ref', 'refs/heads/*'), { ref: 'refs/heads/dev' }), true)
    assert.equal(matchClaim(compileClaim('ref', 'refs/heads/*'), { ref: 'refs/heads/a/b' }), false)
  })

  it('matches any of a list of alternatives', () => {
    const claim = compileClaim('environment', ['prod', 'staging-*'])
    assert.equal(matchClaim(claim, { environment: 'staging-eu' }), true)
    assert.equal(matchClaim(claim, { environment: 'dev' }), false)
  })

  it('compares numbers and booleans by value and type', () => {
    assert.equal(matchClaim(compileClaim('run', 1), { run: 1 }), true)
    assert.equal(matchClaim(compileClaim('run', 1), { run: 1.0 }), true)
    assert.equal(matchClaim(compileClaim('run', 1), { run: '1' }), false)
    assert.equal(matchClaim(compileClaim('admin', true), { admin: true }), true)
    assert.equal(matchClaim(compileClaim('admin', true), { admin: 'true' }), false)
    assert.equal(matchClaim(compileClaim('name', '1'), { name: 1 }), false)
  })

  it('passes a list-valued claim when any element matches', () => {
    const claim = compileClaim('groups', 'deploy-*')
    assert.equal(matchClaim(claim, { groups: ['read', 'deploy-prod'] }), true)
    assert.equal(matchClaim(claim, { groups: ['read'] }), false)
  })

  it('never passes a missing claim or an object', () => {
    assert.equal(matchClaim(compileClaim('ref', '**'), {}), false)
    assert.equal(matchClaim(compileClaim('ref', '**'), { ref: { a: 1 } }), false)
  })

  it('reads dotted names through nested objects', () => {
    const claim = compileClaim('kubernetes.io.namespace', 'prod')
    assert.equal(matchClaim(claim, { 'kubernetes.io': { namespace: 'prod' } }), true)
  })
})

describe('explainClaim', () => {
  it('names the types when a number is expected and the claim is a string', () => {
    assert.deepEqual(explainClaim(compileClaim('run_attempt', 1), { run_attempt: '1' }), {
      message: `claim "run_attempt" "1" does not match 1: the claim is a string, the policy's value a number`,
      expected: 'run_attempt=1',
      actual: 'run_attempt=1',
    })
  })

  it('gives a glob hint for the closest list element', () => {
    assert.deepEqual(
      explainClaim(compileClaim('groups', 'deploy-*'), { groups: ['read', 'Deploy-prod'] }),
      {
        message: 'claim "groups" ["read", "Deploy-prod"] does not match "deploy-*"',
        expected: 'groups=deploy-*',
        actual: 'groups=["read","Deploy-prod"]',
        hint: {
          id: 'case',
          words:
            'the value matches the pattern ignoring letter case (comparison is case-sensitive)',
        },
      },
    )
  })

  it('shows boolean alternatives and an object claim', () => {
    assert.deepEqual(explainClaim(compileClaim('admin', [true, 'yes']), { admin: { a: 1 } }), {
      message: `claim "admin" {"a":1} does not match one of [true, "yes"]: the claim is an object, the policy's value a boolean or a string`,
      expected: ['admin=true', 'admin=yes'],
      actual: 'admin={"a":1}',
    })
  })

  it('gives no type words when the types agree', () => {
    assert.deepEqual(explainClaim(compileClaim('n', 1), { n: 2 }), {
      message: 'claim "n" 2 does not match 1',
      expected: 'n=1',
      actual: 'n=2',
    })
  })
})
