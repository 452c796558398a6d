import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from './compile.ts'
import { evaluatePolicies } from './evaluate.ts'
import { policyOf } from './explanation.ts'
import {
  ciDeploy,
  context,
  exchange,
  github,
  ledger,
  payments,
  presented,
  rejection,
  shown,
} from './testing/fixtures.ts'
import type { PolicyConfig } from './types.ts'

const blockForks: PolicyConfig = {
  name: 'block-forks',
  effect: 'deny',
  issuer: github,
  claims: { repository_owner: 'acme', event_name: 'pull_request_target' },
}

describe('evaluatePolicies', () => {
  it('returns the grant of a matching policy', () => {
    const grant = evaluatePolicies(compilePolicies([ciDeploy], context), exchange())
    assert.deepEqual(grant, {
      policy: 'ci-deploy',
      subject: 'spiffe://example.org/ci/acme/payments',
      audience: payments,
      service: 'payments-api',
      scopes: ['payments.read', 'payments.write'],
      ttlSeconds: 600,
      claims: {},
      singleUse: false,
    })
    assert.ok(Object.isFrozen(grant))
  })

  it('lets a matching deny policy win over an allow with policy_denied', () => {
    const set = compilePolicies([ciDeploy, blockForks], context)
    const error = rejection(() =>
      evaluatePolicies(
        set,
        exchange({ subject: presented({ event_name: 'pull_request_target' }) }),
      ),
    )
    assert.deepEqual(shown(error), {
      code: 'policy_denied',
      check: 'deny',
      expected: undefined,
      actual: 'repo:acme/payments:ref:refs/heads/main',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "block-forks": the deny rule matches iss "https://token.actions.githubusercontent.com" sub "repo:acme/payments:ref:refs/heads/main"',
    )
    assert.equal(policyOf(error), 'block-forks')
  })

  it('ignores a deny policy that does not match the token', () => {
    const set = compilePolicies([blockForks, ciDeploy], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
  })

  it('ignores a deny policy whose condition is false, and denies when it cannot be evaluated', () => {
    const conditional: PolicyConfig = {
      name: 'no-reruns',
      effect: 'deny',
      issuer: github,
      condition: { expression: "claims.run_attempt != '1'", message: 'reruns are denied' },
    }
    const set = compilePolicies([ciDeploy, conditional], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
    // Fail closed: a deny that errors still denies.
    const error = rejection(() =>
      evaluatePolicies(set, exchange({ subject: presented({ run_attempt: undefined }) })),
    )
    assert.equal(error.code, 'policy_denied')
    assert.equal(policyOf(error), 'no-reruns')
  })

  it('applies a deny policy with a use only to that use, and one without use to every use', () => {
    const identityOnly: PolicyConfig = {
      ...blockForks,
      use: 'identity',
      claims: { repository_owner: 'acme' },
    }
    const set = compilePolicies([ciDeploy, identityOnly], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
    const { use: _, ...withoutUse } = identityOnly
    const everyUse = compilePolicies([ciDeploy, withoutUse], context)
    assert.equal(rejection(() => evaluatePolicies(everyUse, exchange())).code, 'policy_denied')
  })

  it('matches a deny policy on audience and subject too', () => {
    const byAudience: PolicyConfig = {
      name: 'no-staging',
      effect: 'deny',
      issuer: github,
      audience: 'https://staging.example.org',
      subject: 'repo:acme/**',
    }
    const set = compilePolicies([ciDeploy, byAudience], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
    const staging = presented({ aud: ['https://staging.example.org', 'http://127.0.0.1:8080'] })
    assert.equal(
      rejection(() => evaluatePolicies(set, exchange({ subject: staging }))).code,
      'policy_denied',
    )
  })

  it('limits a deny policy with targets to grants for those targets', () => {
    const twoTargets = { ...ciDeploy, targets: ['payments-api', 'ledger'] }
    const noLedger: PolicyConfig = {
      ...blockForks,
      claims: { repository_owner: 'acme' },
      targets: ['ledger'],
    }
    const set = compilePolicies([twoTargets, noLedger], context)
    assert.equal(evaluatePolicies(set, exchange({ target: 'payments-api' })).audience, payments)
    const error = rejection(() => evaluatePolicies(set, exchange({ target: ledger })))
    assert.deepEqual(shown(error), {
      code: 'policy_denied',
      check: 'deny',
      expected: undefined,
      actual: 'repo:acme/payments:ref:refs/heads/main',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "block-forks": the deny rule matches iss "https://token.actions.githubusercontent.com" sub "repo:acme/payments:ref:refs/heads/main" for target audience "https://ledger.example.org"',
    )
  })

  it('lets the first passing allow policy win, in configuration order', () => {
    const second = { ...ciDeploy, name: 'second' }
    const set = compilePolicies([ciDeploy, second], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
    const reversed = compilePolicies([second, ciDeploy], context)
    assert.equal(evaluatePolicies(reversed, exchange()).policy, 'second')
  })

  it('skips a failing policy and grants by a later one that passes', () => {
    const strict = { ...ciDeploy, name: 'strict', claims: { repository_owner: 'other' } }
    const set = compilePolicies([strict, ciDeploy], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
  })

  it('considers only allow policies of the request use', () => {
    const { condition: _, ...withoutCondition } = ciDeploy
    const identity: PolicyConfig = { ...withoutCondition, name: 'ci-identity', use: 'identity' }
    const set = compilePolicies([identity, ciDeploy], context)
    assert.equal(evaluatePolicies(set, exchange()).policy, 'ci-deploy')
    assert.equal(evaluatePolicies(set, exchange({ use: 'identity' })).policy, 'ci-identity')
  })

  it('reports the closest policy: the one that failed at the latest clause', () => {
    const wrongSubject = { ...ciDeploy, name: 'wrong-subject', subject: 'repo:acme/other:*' }
    const wrongScope = { ...ciDeploy, name: 'wrong-scope', scopes: ['ledger.read'] }
    const wrongClaim = { ...ciDeploy, name: 'wrong-claim', claims: { repository_owner: 'other' } }
    const set = compilePolicies([wrongSubject, wrongScope, wrongClaim], context)
    const error = rejection(() => evaluatePolicies(set, exchange({ scopes: ['payments.read'] })))
    assert.deepEqual(shown(error), {
      code: 'scope_not_allowed',
      check: 'scope',
      expected: ['ledger.read'],
      actual: ['payments.read'],
      hint: undefined,
    })
    assert.equal(policyOf(error), 'wrong-scope')
  })

  it('breaks a tie between equally close policies by configuration order', () => {
    const first = { ...ciDeploy, name: 'first', claims: { repository_owner: 'one' } }
    const second = { ...ciDeploy, name: 'second', claims: { repository_owner: 'two' } }
    const set = compilePolicies([first, second], context)
    const error = rejection(() => evaluatePolicies(set, exchange()))
    assert.equal(error.code, 'claim_mismatch')
    assert.equal(policyOf(error), 'first')
    assert.equal(error.expected, 'repository_owner=one')
  })

  it('does not consider a policy of another issuer closer than one of the right issuer', () => {
    const gitlabPolicy = { ...ciDeploy, name: 'gitlab', issuer: 'https://gitlab.example.com' }
    const wrongAudience = {
      ...ciDeploy,
      name: 'wrong-audience',
      audience: 'https://other.example.org',
    }
    const set = compilePolicies([gitlabPolicy, wrongAudience], context)
    const error = rejection(() => evaluatePolicies(set, exchange()))
    assert.equal(error.code, 'audience_mismatch')
    assert.equal(policyOf(error), 'wrong-audience')
  })

  it('refuses a requested lifetime that is not a positive whole number with invalid_request', () => {
    const set = compilePolicies([ciDeploy], context)
    for (const requestedTtlSeconds of [0, -5, 1.5, Number.NaN]) {
      const error = rejection(() => evaluatePolicies(set, exchange({ requestedTtlSeconds })))
      assert.deepEqual(shown(error), {
        code: 'invalid_request',
        check: 'ttl',
        expected: 'a positive whole number of seconds',
        actual: String(requestedTtlSeconds),
        hint: undefined,
      })
    }
  })
})
