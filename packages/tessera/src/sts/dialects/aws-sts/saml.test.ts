import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TesseraError } from '@tessera/verify'
import type { ValidatedAssertion } from '../../../saml/index.ts'
import type { AwsSamlRequest } from './parse.ts'
import { awsSamlAttributes, checkAwsAssertion, resolveSamlProvider, samlExchange } from './saml.ts'

const account = '123456789012'
const providers = [{ name: 'okta', entityId: 'http://www.okta.com/exk1' }]
const providerArn = `arn:aws:iam::${account}:saml-provider/okta`
const role = { arn: `arn:aws:iam::${account}:role/admins`, accountId: account, name: 'admins' }
const request: AwsSamlRequest = {
  action: 'AssumeRoleWithSAML',
  role,
  principalArn: providerArn,
  samlAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
  durationSeconds: 3600,
}

function assertion(attributes: Record<string, readonly string[]>): ValidatedAssertion {
  return {
    issuer: 'http://www.okta.com/exk1',
    assertionId: '_a1',
    nameId: 'alice',
    attributes,
    audiences: ['urn:amazon:webservices'],
    notOnOrAfter: 1_800_000_300,
    signedBy: { fingerprint256: 'AA', subject: 'CN=x', validTo: 'never' },
    signedElement: 'Assertion',
  }
}

const good = {
  [awsSamlAttributes.role]: [`${role.arn},${providerArn}`],
  [awsSamlAttributes.roleSessionName]: ['alice@example.com'],
}

describe('resolveSamlProvider', () => {
  it('resolves a provider ARN of the account by name', () => {
    assert.deepEqual(resolveSamlProvider(providerArn, account, providers), {
      ...providers[0],
      arn: providerArn,
      accountId: account,
    })
  })
  it('refuses another account, an unknown name and a malformed ARN', () => {
    assert.throws(
      () => resolveSamlProvider(`arn:aws:iam::210987654321:saml-provider/okta`, account, providers),
      (e: TesseraError) =>
        e.code === 'issuer_unknown' && /answers for account "123456789012"/.test(e.message),
    )
    assert.throws(
      () => resolveSamlProvider(`arn:aws:iam::${account}:saml-provider/x`, account, []),
      (e: TesseraError) =>
        e.check === 'principal' && /no samlIdps entry has a name/.test(e.message),
    )
    assert.throws(
      () => resolveSamlProvider('okta', account, providers),
      (e: TesseraError) => e.code === 'invalid_request' && /Request ARN is invalid/.test(e.message),
    )
  })
})

describe('checkAwsAssertion', () => {
  const provider = resolveSamlProvider(providerArn, account, providers)
  it('accepts the pair and keeps DurationSeconds without SessionDuration', () => {
    assert.deepEqual(checkAwsAssertion(assertion(good), request, provider), { ttlSeconds: 3600 })
  })
  it('takes the shorter of SessionDuration and DurationSeconds', () => {
    const a = assertion({ ...good, [awsSamlAttributes.sessionDuration]: ['1200'] })
    assert.deepEqual(checkAwsAssertion(a, request, provider), { ttlSeconds: 1200 })
  })
  it('refuses a SessionDuration outside 900–43200 or given twice', () => {
    for (const values of [['899'], ['43201'], ['1h'], ['1000', '1000']]) {
      const a = assertion({ ...good, [awsSamlAttributes.sessionDuration]: values })
      assert.throws(
        () => checkAwsAssertion(a, request, provider),
        (e: TesseraError) => e.code === 'missing_claim' && /SessionDuration/.test(e.message),
      )
    }
  })
  it('refuses a missing Role attribute and a pair for another provider', () => {
    assert.throws(
      () =>
        checkAwsAssertion(
          assertion({ [awsSamlAttributes.roleSessionName]: ['a1'] }),
          request,
          provider,
        ),
      (e: TesseraError) => e.code === 'missing_claim' && /has no .*Role attribute/.test(e.message),
    )
    const other = assertion({
      ...good,
      [awsSamlAttributes.role]: [`${role.arn},arn:aws:iam::${account}:saml-provider/other`],
    })
    assert.throws(
      () => checkAwsAssertion(other, request, provider),
      (e: TesseraError) => e.code === 'claim_mismatch' && e.check === 'role',
    )
  })
  it('builds a saml2 exchange restricted to the provider and the role', () => {
    const exchange = samlExchange(request, provider, 'c1')
    assert.equal(exchange.subjectTokenType, 'urn:ietf:params:oauth:token-type:saml2')
    assert.equal(exchange.policy, 'admins')
    assert.equal(exchange.saml?.idpEntityId, 'http://www.okta.com/exk1')
    assert.deepEqual(exchange.saml?.accept?.(assertion(good)), { ttlSeconds: 3600 })
  })
})
