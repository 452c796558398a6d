import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { compilePolicies } from '../../../policy/index.ts'
import type { EntraDialectSection } from './config-schema.ts'
import { matchFederatedCredential } from './match-fic.ts'
import { jwtBearerAssertionType, parseEntraTokenRequest } from './parse.ts'
import { entraPolicies } from './policies.ts'
import { entraWireFor } from './wire-codes.ts'

const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const github = 'https://token.actions.githubusercontent.com'
const aks = 'https://oidc.prod-aks.azure.com/abc/'
const exchange = 'api://AzureADTokenExchange'
const payments = 'https://payments.example.org'

const section: EntraDialectSection = {
  applications: [
    {
      tenantId: tenant,
      clientId: 'app-1',
      target: 'payments-api',
      federatedCredentials: [
        {
          name: 'main',
          issuer: github,
          subject: 'repo:Acme/payments:ref:refs/heads/main',
          audiences: [exchange],
        },
        {
          name: 'prod',
          issuer: github,
          subject: 'repo:Acme/payments:environment:Production',
          audiences: ['api://custom'],
        },
        {
          name: 'aks',
          issuer: aks,
          subject: 'system:serviceaccount:pay:api',
          audiences: [exchange],
        },
      ],
    },
    {
      tenantId: tenant,
      clientId: 'app-2',
      target: 'ledger',
      federatedCredentials: [{ name: 'l', issuer: github, subject: 'x', audiences: [exchange] }],
    },
  ],
}
const policies = compilePolicies(entraPolicies(section), {
  inventory: {
    services: [
      { name: 'payments-api', audiences: [payments, 'api://payments'] },
      { name: 'ledger', audiences: ['https://ledger.example.org'] },
    ],
  },
  trustDomain: 'example.org',
  issuerUrl: 'https://tessera.test',
  trustedIssuers: [github, aks],
})

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function request(claims: Record<string, unknown>, fields: Record<string, string> = {}) {
  const assertion = `${encode({ alg: 'RS256', kid: 'k' })}.${encode({
    iss: github,
    sub: 'repo:Acme/payments:ref:refs/heads/main',
    aud: exchange,
    ...claims,
  })}.c2ln`
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: 'app-1',
    client_assertion_type: jwtBearerAssertionType,
    client_assertion: assertion,
    scope: `${payments}/.default`,
    ...fields,
  })
  return parseEntraTokenRequest(body, fields.tenant ?? tenant)
}

function refusal(claims: Record<string, unknown>, fields: Record<string, string> = {}) {
  try {
    matchFederatedCredential(section, request(claims, fields), policies)
  } catch (error) {
    assert.ok(isTesseraError(error))
    return error
  }
  assert.fail('expected a refusal')
}

describe('matchFederatedCredential', () => {
  test('an exact issuer, subject and audience match names the credential and its policy', () => {
    const match = matchFederatedCredential(section, request({}), policies)
    assert.equal(match.credential.name, 'main')
    assert.equal(match.policy, 'entra:app-1:main')
    assert.equal(match.audience, payments)
  })

  test('an aud array matches when it holds the credential audience', () => {
    const match = matchFederatedCredential(section, request({ aud: ['other', exchange] }), policies)
    assert.equal(match.credential.name, 'main')
  })

  test('the second credential of an issuer is found by its audience and subject', () => {
    const match = matchFederatedCredential(
      section,
      request({ sub: 'repo:Acme/payments:environment:Production', aud: 'api://custom' }),
      policies,
    )
    assert.equal(match.policy, 'entra:app-1:prod')
  })

  test('the scope may name any audience of the target service', () => {
    const match = matchFederatedCredential(
      section,
      request({}, { scope: 'api://payments/.default' }),
      policies,
    )
    assert.equal(match.audience, 'api://payments')
  })

  // [what differs, claims, fields, code, hint, AADSTS]
  const rows: [
    string,
    Record<string, unknown>,
    Record<string, string>,
    string,
    string | undefined,
    number,
  ][] = [
    [
      'an unknown tenant',
      {},
      { tenant: 'fabrikam.onmicrosoft.com' },
      'no_matching_policy',
      undefined,
      90002,
    ],
    ['an unknown client id', {}, { client_id: 'app-9' }, 'no_matching_policy', undefined, 700016],
    [
      'a client id differing in case',
      {},
      { client_id: 'APP-1' },
      'no_matching_policy',
      'case',
      700016,
    ],
    [
      'an issuer no credential has',
      { iss: 'https://gitlab.com' },
      {},
      'issuer_unknown',
      undefined,
      700211,
    ],
    [
      'an issuer without its trailing slash',
      { iss: aks.slice(0, -1), sub: 'system:serviceaccount:pay:api' },
      {},
      'issuer_unknown',
      'trailing_slash',
      700211,
    ],
    [
      'an audience no credential of the issuer has',
      { aud: 'api://AzureADTokenExchange/' },
      {},
      'audience_mismatch',
      'trailing_slash',
      700212,
    ],
    ['a missing aud', { aud: undefined }, {}, 'audience_mismatch', undefined, 700212],
    [
      'a subject differing only in case',
      { sub: 'repo:acme/payments:ref:refs/heads/main' },
      {},
      'subject_mismatch',
      'case',
      7002138,
    ],
    [
      'another subject',
      { sub: 'repo:Acme/payments:ref:refs/heads/dev' },
      {},
      'subject_mismatch',
      undefined,
      700213,
    ],
    ['a missing sub', { sub: undefined }, {}, 'subject_mismatch', undefined, 700213],
    [
      'both subject and audience',
      { sub: 'repo:Acme/other:ref:refs/heads/main', aud: 'api://nope' },
      {},
      'no_matching_policy',
      undefined,
      70021,
    ],
    [
      'a resource of another service',
      {},
      { scope: 'https://ledger.example.org/.default' },
      'target_not_allowed',
      undefined,
      500011,
    ],
    [
      'a resource outside the inventory',
      {},
      { scope: 'https://unknown.example/.default' },
      'target_not_allowed',
      undefined,
      500011,
    ],
  ]
  for (const [name, claims, fields, code, hint, aadsts] of rows) {
    test(`${name}: ${code}, AADSTS${aadsts}`, () => {
      const error = refusal(claims, fields)
      assert.deepEqual(
        { code: error.code, hint: error.hint, aadsts: entraWireFor(error).aadsts },
        { code, hint, aadsts },
      )
    })
  }

  test('the case-only subject names the configured subject in the audit explanation only', () => {
    const error = refusal({ sub: 'repo:acme/payments:ref:refs/heads/main' })
    assert.deepEqual(error.expected, ['repo:Acme/payments:ref:refs/heads/main'])
    assert.equal(error.actual, 'repo:acme/payments:ref:refs/heads/main')
    assert.match(error.message, /differ only by letter case/)
    const text = entraWireFor(error).describe(
      { tenant, now: 0, assertion: { sub: 'repo:acme/payments:ref:refs/heads/main' } },
      error,
    )
    assert.match(
      text,
      /^No matching federated identity record found for presented assertion subject 'repo:acme\/payments:ref:refs\/heads\/main'\. The subject matches with case-insensitive comparison, but not with case-sensitive comparison\./,
    )
    assert.doesNotMatch(text, /Acme/)
  })

  test('no section at all is an unknown tenant', () => {
    assert.throws(
      () => matchFederatedCredential(undefined, request({}), policies),
      (error) => {
        assert.ok(isTesseraError(error))
        return entraWireFor(error).aadsts === 90002
      },
    )
  })
})
