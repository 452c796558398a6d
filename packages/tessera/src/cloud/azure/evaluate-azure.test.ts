import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { type FixtureName, fixtureNow, fixtureText, githubClaims } from '../testing/fixtures.ts'
import type { CloudVerdict } from '../verdict.ts'
import { evaluateAzure } from './evaluate-azure.ts'
import { parseFederatedCredential } from './fic.ts'

const fic = (name: FixtureName) => parseFederatedCredential(fixtureText(name), name)
const both = [fic('azure-fic-main.json'), fic('azure-fic-prod.json')]

function run(changes: Record<string, unknown> = {}, credentials = both): CloudVerdict {
  return evaluateAzure(credentials, {
    header: { alg: 'RS256', kid: 'k1' },
    claims: githubClaims({
      aud: 'api://AzureADTokenExchange',
      sub: 'repo:Acme/payments:environment:prod',
      ...changes,
    }),
    now: fixtureNow,
  })
}

function rejected(verdict: CloudVerdict) {
  assert.equal(verdict.accepted, false)
  if (verdict.accepted) throw new Error('unreachable')
  return verdict
}

describe('Azure federated credential model', () => {
  it('accepts a token that matches one of several credentials exactly', () => {
    assert.deepEqual(run(), { accepted: true })
    assert.deepEqual(run({ sub: 'repo:Acme/payments:ref:refs/heads/main' }), { accepted: true })
  })

  it('names a subject that differs only in case (AADSTS7002138) and the credential', () => {
    const v = rejected(run({ sub: 'repo:acme/payments:environment:prod' }))
    assert.equal(v.code, 'AADSTS7002138')
    assert.equal(
      v.message,
      "No matching federated identity record found for presented assertion subject 'repo:acme/payments:environment:prod'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.",
    )
    assert.equal(v.explanation.code, 'subject_mismatch')
    assert.equal(v.explanation.check, 'azure.fic["payments-prod"].subject')
    assert.equal(v.explanation.expected, 'repo:Acme/payments:environment:prod')
    assert.equal(v.explanation.actual, 'repo:acme/payments:environment:prod')
    assert.equal(v.explanation.hint, 'case')
  })

  it('names the closest credential for a subject no credential has (AADSTS700213)', () => {
    const v = rejected(run({ sub: 'repo:Acme/payments:environment:production' }))
    assert.equal(v.code, 'AADSTS700213')
    assert.match(
      v.message,
      /Please note that the matching is done using a case-sensitive comparison/,
    )
    assert.equal(v.explanation.check, 'azure.fic["payments-prod"].subject')
    assert.deepEqual(v.explanation.expected, [
      'repo:Acme/payments:ref:refs/heads/main',
      'repo:Acme/payments:environment:prod',
    ])
  })

  it('names an audience mismatch (AADSTS700212) with its near miss', () => {
    const v = rejected(run({ aud: 'api://AzureADTokenExchange/' }))
    assert.equal(v.code, 'AADSTS700212')
    assert.equal(
      v.message,
      "No matching federated identity record found for presented assertion audience 'api://AzureADTokenExchange/'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation",
    )
    assert.equal(v.explanation.code, 'audience_mismatch')
    assert.equal(v.explanation.hint, 'trailing_slash')
  })

  it('names an issuer mismatch (AADSTS700211) first', () => {
    const v = rejected(run({ iss: 'https://token.actions.githubusercontent.com/', aud: 'x' }))
    assert.equal(v.code, 'AADSTS700211')
    assert.equal(v.explanation.code, 'issuer_mismatch')
    assert.equal(v.explanation.check, 'azure.fic["payments-main"].issuer')
    assert.equal(v.explanation.hint, 'trailing_slash')
    assert.equal(v.failures.length, 1)
  })

  it('rejects a token outside its valid time range (AADSTS700024)', () => {
    const expired = rejected(run({ exp: fixtureNow - 1 }))
    assert.equal(expired.code, 'AADSTS700024')
    assert.equal(
      expired.message,
      'Client assertion is not within its valid time range. Current time: 2027-01-15T08:00:00.0000000Z, assertion valid from 2027-01-15T07:59:00.0000000Z, expiry time of assertion 2027-01-15T07:59:59.0000000Z. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .',
    )
    assert.equal(expired.explanation.code, 'expired')
    assert.equal(rejected(run({ nbf: fixtureNow + 600 })).explanation.code, 'not_yet_valid')
    const noTimes = rejected(run({ exp: undefined, nbf: undefined, iat: undefined }))
    assert.equal(noTimes.explanation.code, 'missing_claim')
    assert.match(noTimes.message, /valid from unknown, expiry time of assertion unknown/)
  })
})

describe('Azure federated credential files', () => {
  it('lists every problem at once', () => {
    assert.throws(
      () =>
        parseFederatedCredential(
          JSON.stringify({
            name: 'x',
            issuer: 'i'.repeat(601),
            subject: '',
            audiences: ['a', 'b'],
          }),
          'f.json',
        ),
      (e) =>
        isTesseraError(e) &&
        e.code === 'invalid_config' &&
        e.problems?.length === 3 &&
        e.problems.some(
          (p) => p.message === 'Federated identity credentials must have exactly one audience.',
        ),
    )
    assert.throws(() => parseFederatedCredential('{', 'f.json'), /not JSON/)
  })
})
