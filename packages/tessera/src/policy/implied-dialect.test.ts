import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from './compile.ts'
import { evaluatePolicies } from './evaluate.ts'
import { ciDeploy, context, exchange, rejection } from './testing/fixtures.ts'

// The same trust as ciDeploy, but implied by a clouds dialect: only that dialect, naming it.
const implied = { ...ciDeploy, name: 'gcp:ci:gh', dialect: 'google-sts' }
const set = compilePolicies([implied], context)

describe('a dialect-implied policy', () => {
  it('grants only a request of its dialect that names it', () => {
    const grant = evaluatePolicies(set, exchange({ policy: 'gcp:ci:gh', dialect: 'google-sts' }))
    assert.equal(grant.policy, 'gcp:ci:gh')
  })

  it('is no candidate for another dialect, or for a request naming no policy', () => {
    for (const request of [
      exchange(),
      exchange({ dialect: 'token-exchange' }),
      exchange({ policy: 'gcp:ci:gh', dialect: 'aws-sts' }),
      exchange({ policy: 'gcp:ci:gh' }),
    ]) {
      assert.equal(rejection(() => evaluatePolicies(set, request)).code, 'no_matching_policy')
    }
  })

  it('leaves policies of the file as they were: any dialect, named or not', () => {
    const both = compilePolicies([implied, ciDeploy], context)
    assert.equal(
      evaluatePolicies(both, exchange({ dialect: 'token-exchange' })).policy,
      'ci-deploy',
    )
    assert.equal(
      evaluatePolicies(both, exchange({ policy: 'ci-deploy', dialect: 'aws-sts' })).policy,
      'ci-deploy',
    )
  })
})
