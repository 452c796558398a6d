import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from './compile.ts'
import { policyMaxTtl } from './max-ttl.ts'
import { ciDeploy, context, github } from './testing/fixtures.ts'

describe('policyMaxTtl', () => {
  const { maxTtlSeconds: _, ...uncapped } = ciDeploy
  const set = compilePolicies(
    [
      { ...ciDeploy, name: 'capped', maxTtlSeconds: 1200 },
      { ...uncapped, name: 'uncapped' },
      { name: 'deny-all', effect: 'deny', issuer: github },
    ],
    context,
  )

  it("returns an allow policy's maxTtlSeconds", () => {
    assert.equal(policyMaxTtl(set, 'capped'), 1200)
  })

  it('returns undefined for a policy without a cap, a deny policy or an unknown name', () => {
    assert.equal(policyMaxTtl(set, 'uncapped'), undefined)
    assert.equal(policyMaxTtl(set, 'deny-all'), undefined)
    assert.equal(policyMaxTtl(set, 'capped '), undefined)
  })
})
