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
  presented,
  rejection,
  shown,
} from './testing/fixtures.ts'
import type { PolicyConfig } from './types.ts'

function grantOf(policy: PolicyConfig, request = exchange()) {
  return evaluatePolicies(compilePolicies([policy], context), request)
}

const identity: PolicyConfig = {
  name: 'ci-identity',
  use: 'identity',
  issuer: github,
  subject: 'repo:acme/**',
  targets: ['payments-api'],
  output: { subject: 'spiffe://{trustDomain}/ci/{claims.repository}' },
}

describe('grant', () => {
  it('maps the output subject and claims from the presented token', () => {
    const grant = grantOf(
      {
        ...ciDeploy,
        output: {
          subject: 'spiffe://{trustDomain}/ci/{claims.repository}',
          claims: {
            source: '{iss}|{sub}',
            run: 'attempt-{claims.run_attempt}',
            number: '{claims.n}',
          },
        },
        singleUse: true,
      },
      exchange({ subject: presented({ n: 42 }) }),
    )
    assert.equal(grant.subject, 'spiffe://example.org/ci/acme/payments')
    assert.deepEqual(grant.claims, {
      source: `${github}|repo:acme/payments:ref:refs/heads/main`,
      run: 'attempt-1',
      number: '42',
    })
    assert.equal(grant.singleUse, true)
  })

  it('defaults the output subject to the presented sub', () => {
    const { output: _, ...withoutOutput } = ciDeploy
    assert.equal(grantOf(withoutOutput).subject, 'repo:acme/payments:ref:refs/heads/main')
  })

  it('refuses with claim_mismatch (check output) when a template needs a missing claim', () => {
    const error = rejection(() =>
      grantOf(ciDeploy, exchange({ subject: presented({ repository: undefined }) })),
    )
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'output',
      expected: '{claims.repository}',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": claim "repository" is missing, and output subject "spiffe://{trustDomain}/ci/{claims.repository}" needs it for {claims.repository}',
    )
    assert.equal(policyOf(error), 'ci-deploy')
  })

  it('refuses a template claim that is an object, and a missing sub for {sub}', () => {
    const objectClaim = rejection(() =>
      grantOf(
        { ...ciDeploy, output: { claims: { team: '{claims.team}' } } },
        exchange({ subject: presented({ team: { name: 'x' } }) }),
      ),
    )
    assert.deepEqual(shown(objectClaim), {
      code: 'claim_mismatch',
      check: 'output',
      expected: '{claims.team}',
      actual: 'team={"name":"x"}',
      hint: undefined,
    })
    assert.equal(
      objectClaim.message,
      'policy "ci-deploy": claim "team" is {"name":"x"}, not a string, number or boolean, and output claim "team" "{claims.team}" needs it for {claims.team}',
    )
    const { subject: _, ...claimsOnly } = ciDeploy
    const noSub = rejection(() =>
      grantOf(
        { ...claimsOnly, output: { subject: 'x-{sub}' } },
        exchange({ subject: presented({ sub: undefined }) }),
      ),
    )
    assert.deepEqual(shown(noSub), {
      code: 'claim_mismatch',
      check: 'output',
      expected: '{sub}',
      actual: 'missing',
      hint: undefined,
    })
  })

  it('refuses with claim_mismatch when the output subject defaults to a missing sub', () => {
    const { subject: _, output: __, ...claimsOnly } = ciDeploy
    const error = rejection(() =>
      grantOf(claimsOnly, exchange({ subject: presented({ sub: undefined }) })),
    )
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'output',
      expected: '{sub}',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-deploy": claim "sub" is missing, and the output subject defaults to it',
    )
  })

  it('issues a SPIFFE ID for an identity policy', () => {
    const grant = grantOf(identity, exchange({ use: 'identity' }))
    assert.equal(grant.subject, 'spiffe://example.org/ci/acme/payments')
  })

  it('refuses an identity grant whose rendered subject is not a valid SPIFFE ID', () => {
    const error = rejection(() =>
      grantOf(
        identity,
        exchange({ use: 'identity', subject: presented({ repository: 'acme/../admin' }) }),
      ),
    )
    assert.deepEqual(shown(error), {
      code: 'claim_mismatch',
      check: 'output',
      expected: 'spiffe://example.org/<path>',
      actual: 'spiffe://example.org/ci/acme/../admin',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'policy "ci-identity": output subject "spiffe://example.org/ci/acme/../admin" is not a SPIFFE ID in trust domain "example.org": its path has a ".." segment',
    )
  })

  it('caps the lifetime at the smaller of the policy cap and the requested lifetime', () => {
    assert.equal(grantOf(ciDeploy, exchange({ requestedTtlSeconds: 300 })).ttlSeconds, 300)
    assert.equal(grantOf(ciDeploy, exchange({ requestedTtlSeconds: 3600 })).ttlSeconds, 600)
    const { maxTtlSeconds: _, ...uncapped } = ciDeploy
    assert.equal(grantOf(uncapped, exchange({ requestedTtlSeconds: 3600 })).ttlSeconds, 3600)
  })

  it('leaves the lifetime unbounded (Infinity) for the caller to cap when neither is set', () => {
    const { maxTtlSeconds: _, ...uncapped } = ciDeploy
    assert.equal(grantOf(uncapped).ttlSeconds, Number.POSITIVE_INFINITY)
  })
})
