import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from '../compile.ts'
import { evaluatePolicies } from '../evaluate.ts'
import { policyOf } from '../explanation.ts'
import {
  ciDeploy,
  context,
  exchange,
  github,
  presented,
  rejection,
  shown,
  tessera,
} from '../testing/fixtures.ts'
import type { PolicyConfig } from '../types.ts'

const set = compilePolicies([ciDeploy], context)

function deny(overrides: Readonly<Record<string, unknown>>, issuer = github) {
  return rejection(() => evaluatePolicies(set, exchange({ subject: presented(overrides, issuer) })))
}

function only(policy: Partial<PolicyConfig>) {
  return compilePolicies([{ ...ciDeploy, ...policy }], context)
}

describe('issuer clause', () => {
  it('refuses with no_matching_policy when no allow policy names the issuer, hinting a trailing slash', () => {
    const error = deny({}, `${github}/`)
    assert.deepEqual(shown(error), {
      code: 'no_matching_policy',
      check: 'issuer',
      expected: [github],
      actual: `${github}/`,
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'iss "https://token.actions.githubusercontent.com/" is not the issuer of any allow policy for use "exchange", expected one of ["https://token.actions.githubusercontent.com"]: the values differ only by a trailing slash',
    )
    assert.equal(policyOf(error), undefined)
  })

  it('refuses with no_matching_policy and an empty expected list when no policy has the use', () => {
    const error = rejection(() => evaluatePolicies(set, exchange({ use: 'identity' })))
    assert.deepEqual(shown(error), {
      code: 'no_matching_policy',
      check: 'issuer',
      expected: [],
      actual: github,
      hint: undefined,
    })
    assert.equal(
      error.message,
      'iss "https://token.actions.githubusercontent.com" has no allow policy: no policy allows use "identity"',
    )
  })
})

describe('audience clause', () => {
  it('refuses with audience_mismatch when aud differs by a trailing slash', () => {
    const error = deny({ aud: `${tessera}/` })
    assert.deepEqual(shown(error), {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [tessera],
      actual: [`${tessera}/`],
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": aud "http://127.0.0.1:8080/" is not one of ["http://127.0.0.1:8080"]: the values differ only by a trailing slash',
    )
    assert.equal(policyOf(error), 'ci-deploy')
  })

  it('accepts an aud list holding one accepted audience', () => {
    const grant = evaluatePolicies(set, exchange({ subject: presented({ aud: ['x', tessera] }) }))
    assert.equal(grant.policy, 'ci-deploy')
  })

  it('reports a missing aud as missing', () => {
    const error = deny({ aud: undefined })
    assert.deepEqual(shown(error), {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [tessera],
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": aud is missing, expected one of ["http://127.0.0.1:8080"]',
    )
  })

  it("defaults the accepted audience to Tessera's own issuer URL", () => {
    const { audience: _, ...withoutAudience } = ciDeploy
    const defaulted = compilePolicies([withoutAudience], context)
    assert.deepEqual(defaulted.acceptedAudiences, [tessera])
    assert.equal(evaluatePolicies(defaulted, exchange()).policy, 'ci-deploy')
  })
})

describe('subject clause', () => {
  it('refuses with subject_mismatch when * would have to cross a /', () => {
    const error = deny({ sub: 'repo:acme/payments:ref:refs/heads/feat/x' })
    assert.deepEqual(shown(error), {
      code: 'subject_mismatch',
      check: 'subject',
      expected: 'repo:acme/payments:ref:refs/heads/*',
      actual: 'repo:acme/payments:ref:refs/heads/feat/x',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": sub "repo:acme/payments:ref:refs/heads/feat/x" does not match "repo:acme/payments:ref:refs/heads/*"',
    )
  })

  it('hints at letter case when the glob would match ignoring case', () => {
    const error = deny({ sub: 'repo:Acme/payments:ref:refs/heads/main' })
    assert.deepEqual(shown(error), {
      code: 'subject_mismatch',
      check: 'subject',
      expected: 'repo:acme/payments:ref:refs/heads/*',
      actual: 'repo:Acme/payments:ref:refs/heads/main',
      hint: 'case',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": sub "repo:Acme/payments:ref:refs/heads/main" does not match "repo:acme/payments:ref:refs/heads/*": the value matches the pattern ignoring letter case (comparison is case-sensitive)',
    )
  })

  it('hints through detectHint for an exact subject', () => {
    const exact = only({ subject: 'https://ci.example.org/jobs/1' })
    const error = rejection(() =>
      evaluatePolicies(
        exact,
        exchange({ subject: presented({ sub: 'https://ci.example.org/jobs/1/' }) }),
      ),
    )
    assert.deepEqual(shown(error), {
      code: 'subject_mismatch',
      check: 'subject',
      expected: 'https://ci.example.org/jobs/1',
      actual: 'https://ci.example.org/jobs/1/',
      hint: 'trailing_slash',
    })
  })

  it('reports a missing sub as missing', () => {
    const error = deny({ sub: undefined })
    assert.deepEqual(shown(error), {
      code: 'subject_mismatch',
      check: 'subject',
      expected: 'repo:acme/payments:ref:refs/heads/*',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": sub is missing, expected "repo:acme/payments:ref:refs/heads/*"',
    )
  })
})

describe('claims clause', () => {
  it('refuses with claim_mismatch and a case hint', () => {
    const error = deny({ repository_owner: 'Acme' })
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'claims',
      expected: 'repository_owner=acme',
      actual: 'repository_owner=Acme',
      hint: 'case',
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": claim "repository_owner" "Acme" does not match "acme": the values differ only by letter case',
    )
  })

  it('reports a missing claim as missing', () => {
    const error = deny({ repository_owner: undefined })
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'claims',
      expected: 'repository_owner=acme',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": claim "repository_owner" is missing, expected "acme"',
    )
  })

  it('explains the first failing claim of several', () => {
    const two = only({ claims: { repository_owner: 'acme', environment: ['prod', 'staging'] } })
    const error = rejection(() =>
      evaluatePolicies(two, exchange({ subject: presented({ environment: 'dev' }) })),
    )
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'claims',
      expected: ['environment=prod', 'environment=staging'],
      actual: 'environment=dev',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": claim "environment" "dev" does not match one of ["prod", "staging"]',
    )
  })
})
