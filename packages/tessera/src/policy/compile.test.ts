import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compilePolicies } from './compile.ts'
import {
  ciDeploy,
  context,
  github,
  ledger,
  payments,
  paymentsV2,
  rejection,
  tessera,
} from './testing/fixtures.ts'
import type { PolicyConfig } from './types.ts'

describe('compilePolicies', () => {
  it('returns a frozen set with the policy names, accepted audiences and inventory lookups', () => {
    const deny: PolicyConfig = {
      name: 'deny-staging',
      effect: 'deny',
      issuer: github,
      audience: 'https://staging',
    }
    const { audience: _, ...defaultAudience } = { ...ciDeploy, name: 'default-audience' }
    const set = compilePolicies([ciDeploy, deny, defaultAudience], context)
    assert.deepEqual(set.policyNames, ['ci-deploy', 'deny-staging', 'default-audience'])
    assert.deepEqual(set.acceptedAudiences, [tessera, 'https://staging'])
    assert.deepEqual(set.audiencesFor('payments-api'), {
      audience: payments,
      service: 'payments-api',
    })
    assert.deepEqual(set.audiencesFor(paymentsV2), {
      audience: paymentsV2,
      service: 'payments-api',
    })
    assert.deepEqual(set.audiencesFor(ledger), { audience: ledger, service: 'ledger' })
    assert.equal(set.audiencesFor('unknown'), undefined)
    assert.ok(Object.isFrozen(set))
    assert.ok(Object.isFrozen(set.policyNames))
  })

  it('accepts an empty policy list', () => {
    const set = compilePolicies([], context)
    assert.deepEqual(set.policyNames, [])
    assert.deepEqual(set.acceptedAudiences, [])
  })

  it('reports every problem at once, each with its JSON pointer', () => {
    const error = rejection(() =>
      compilePolicies(
        [
          {
            name: 'broken',
            issuer: 'https://*.example.com',
            subject: '',
            targets: ['payments', 'payments-api', 'payments-api'],
            scopes: ['a', 'a', 'has space'],
            maxTtlSeconds: 0,
            condition: { expression: "claims.x == 'y' &&", message: 'm' },
            output: { subject: '{subject}', claims: { team: '{claims.team}', sub: 'x' } },
          },
          { ...ciDeploy, name: 'broken', issuer: `${github}/` },
        ],
        context,
      ),
    )
    assert.equal(error.code, 'invalid_config')
    assert.equal(error.check, 'config')
    assert.deepEqual(error.problems, [
      {
        path: '/policies/0/issuer',
        message:
          'issuer "https://*.example.com" contains "*": issuers are compared exactly, and a pattern could span "/" or "."',
      },
      {
        path: '/policies/0/subject',
        message: 'is empty and can never match: no identity has an empty sub',
      },
      { path: '/policies/0/maxTtlSeconds', message: '0 is not a positive whole number of seconds' },
      {
        path: '/policies/0/condition/expression',
        message: 'CEL expression does not parse: Unexpected token: EOF (at offset 18)',
      },
      {
        path: '/policies/0/output/subject',
        message:
          'unknown placeholder "{subject}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}',
      },
      {
        path: '/policies/0/output/claims/sub',
        message: 'claim "sub" is set by Tessera itself and cannot be mapped',
      },
      {
        path: '/policies/0/targets/0',
        message: 'target "payments" is neither a service name nor an audience in the inventory',
      },
      { path: '/policies/0/targets/2', message: 'target "payments-api" is listed twice' },
      { path: '/policies/0/scopes/1', message: 'scope "a" is listed twice' },
      {
        path: '/policies/0/scopes/2',
        message:
          'scope "has space" is not a scope token (RFC 6749 §3.3: printable ASCII without space, " or \\)',
      },
      { path: '/policies/1/name', message: 'policy name "broken" is used by an earlier policy' },
      {
        path: '/policies/1/issuer',
        message:
          'issuer "https://token.actions.githubusercontent.com/" is neither a trusted issuer nor Tessera\'s own issuer "http://127.0.0.1:8080": the values differ only by a trailing slash',
      },
    ])
    assert.match(
      error.message,
      /^policies are invalid: \/policies\/0\/issuer issuer "https:\/\/\*\.example\.com" contains/,
    )
  })

  it('reports inventory entries that would make a target ambiguous', () => {
    const error = rejection(() =>
      compilePolicies([], {
        ...context,
        inventory: {
          services: [
            { name: 'a', audiences: ['https://a', 'https://a'] },
            { name: 'a', audiences: ['https://b'] },
            { name: 'https://b', audiences: ['https://c'] },
          ],
        },
      }),
    )
    assert.deepEqual(error.problems, [
      {
        path: '/inventory/services/0/audiences/1',
        message: 'audience "https://a" is already listed by service "a"',
      },
      {
        path: '/inventory/services/1/name',
        message: 'service name "a" is used by an earlier service',
      },
      {
        path: '/inventory/services/2/name',
        message:
          'service name "https://b" is also an audience of service "a", so a target naming it would be ambiguous',
      },
    ])
  })
})
