import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import {
  type FixtureName,
  fixtureNow,
  fixtureText,
  gcpProviderName,
  githubClaims,
} from '../testing/fixtures.ts'
import type { CloudVerdict } from '../verdict.ts'
import { evaluateGcp, maxSubjectBytes } from './evaluate-gcp.ts'
import { acceptedAudiences, parseGcpProvider } from './provider.ts'

const provider = (name: FixtureName = 'gcp-provider.json', changes: Record<string, unknown> = {}) =>
  parseGcpProvider(JSON.stringify({ ...JSON.parse(fixtureText(name)), ...changes }), name)

const slashSlash = `//iam.googleapis.com/${gcpProviderName}`
const https = `https://iam.googleapis.com/${gcpProviderName}`
const paymentsName =
  'projects/123456789012/locations/global/workloadIdentityPools/ci/providers/payments'

function run(
  changes: Record<string, unknown> = {},
  p: ReturnType<typeof provider> = provider(),
): CloudVerdict {
  return evaluateGcp(p, {
    header: { alg: 'RS256', kid: 'k1' },
    claims: githubClaims({ aud: https, ...changes }),
    now: fixtureNow,
  })
}

function rejected(verdict: CloudVerdict) {
  assert.equal(verdict.accepted, false)
  if (verdict.accepted) throw new Error('unreachable')
  return verdict
}

describe('GCP workload identity provider model', () => {
  it('accepts both spellings of the default audience when allowedAudiences is empty', () => {
    assert.deepEqual(acceptedAudiences(provider()), [slashSlash, https])
    assert.deepEqual(run({ aud: https }), { accepted: true })
    assert.deepEqual(run({ aud: slashSlash }), { accepted: true })
  })

  it('names the default audience copied with https: when allowedAudiences lists the // form', () => {
    const p = provider('gcp-provider-audiences.json')
    assert.equal(run({ aud: `//iam.googleapis.com/${paymentsName}` }, p).accepted, true)
    const v = rejected(run({ aud: `https://iam.googleapis.com/${paymentsName}` }, p))
    assert.equal(v.code, 'invalid_grant')
    assert.equal(
      v.message,
      `The audience in ID Token [https://iam.googleapis.com/${paymentsName}] does not match the expected audience.`,
    )
    assert.equal(v.explanation.code, 'audience_mismatch')
    assert.equal(v.explanation.check, 'gcp.provider.oidc.allowedAudiences')
    assert.equal(v.explanation.hint, 'scheme')
    assert.match(v.explanation.message, /allowedAudiences is set, so only its values are accepted/)
  })

  it('names the default audience copied with // when allowedAudiences lists the https: form', () => {
    const p = provider('gcp-provider-audiences.json', {
      oidc: {
        issuerUri: 'https://token.actions.githubusercontent.com',
        allowedAudiences: [`https://iam.googleapis.com/${paymentsName}`],
      },
    })
    const v = rejected(run({ aud: `//iam.googleapis.com/${paymentsName}` }, p))
    assert.equal(v.explanation.hint, 'scheme')
    assert.deepEqual(v.explanation.expected, [`https://iam.googleapis.com/${paymentsName}`])
  })

  it('names a default audience with a trailing slash', () => {
    const v = rejected(run({ aud: `${https}/` }))
    assert.equal(v.explanation.check, 'gcp.provider.default_audience')
    assert.equal(v.explanation.hint, 'trailing_slash')
  })

  it('rejects an issuer that differs from issuerUri', () => {
    const v = rejected(run({ iss: 'https://token.actions.githubusercontent.com/' }))
    assert.equal(v.code, 'invalid_grant')
    assert.equal(
      v.message,
      'The issuer in ID Token https://token.actions.githubusercontent.com/ does not match the expected ones: https://token.actions.githubusercontent.com',
    )
    assert.equal(v.explanation.code, 'issuer_mismatch')
    assert.equal(v.explanation.hint, 'trailing_slash')
  })

  it('names the CEL condition clause that is false, with a near-miss hint', () => {
    const v = rejected(run({ repository_owner: 'Acme' }))
    assert.equal(v.code, 'unauthorized_client')
    assert.equal(v.message, 'The given credential is rejected by the attribute condition.')
    assert.equal(v.explanation.code, 'condition_failed')
    assert.equal(v.explanation.check, 'gcp.provider.attributeCondition[clause 1 of 2]')
    assert.equal(v.explanation.expected, 'acme')
    assert.equal(v.explanation.actual, 'Acme')
    assert.equal(v.explanation.hint, 'case')
    const ref = rejected(run({ ref: 'refs/heads/release' }))
    assert.equal(ref.explanation.check, 'gcp.provider.attributeCondition[clause 2 of 2]')
    assert.match(
      ref.explanation.message,
      /assertion.ref is "refs\/heads\/release", not "refs\/heads\/main"/,
    )
  })

  it('evaluates the condition over mapped attributes and google.subject', () => {
    const p = provider('gcp-provider-audiences.json')
    const aud = `//iam.googleapis.com/${paymentsName}`
    assert.equal(run({ aud }, p).accepted, true)
    const v = rejected(run({ aud, repository: 'acme/ledger' }, p))
    assert.equal(v.explanation.check, 'gcp.provider.attributeCondition')
    const bySubject = provider('gcp-provider.json', {
      attributeCondition: "google.subject.startsWith('repo:acme/') && size(attribute.actor) > 0",
    })
    assert.equal(run({}, bySubject).accepted, true)
    assert.equal(run({ sub: 'repo:other/x:ref:refs/heads/main' }, bySubject).accepted, false)
  })

  it('says when a condition clause cannot be evaluated or is not a bool', () => {
    const missing = provider('gcp-provider.json', {
      attributeCondition: "assertion.environment == 'prod'",
    })
    const v = rejected(run({}, missing))
    assert.match(
      v.explanation.message,
      /could not be evaluated \(error: EvaluationError no_such_key/,
    )
    const notBool = provider('gcp-provider.json', { attributeCondition: 'assertion.sub' })
    assert.match(
      rejected(run({}, notBool)).explanation.message,
      /could not be evaluated \(not a bool: string\)/,
    )
  })

  it('rejects a google.subject longer than 127 bytes', () => {
    const v = rejected(run({ sub: `repo:acme/${'x'.repeat(maxSubjectBytes)}` }))
    assert.equal(v.code, 'invalid_request')
    assert.equal(
      v.message,
      'The size of mapped attribute google.subject exceeds the 127 bytes limit.',
    )
    assert.equal(v.explanation.check, 'gcp.provider.attributeMapping["google.subject"]')
  })

  it('rejects a google.subject mapping that fails or is not a string', () => {
    const fails = provider('gcp-provider.json', {
      attributeMapping: { 'google.subject': 'assertion.email' },
      attributeCondition: '',
    })
    const v = rejected(run({}, fails))
    assert.equal(v.explanation.code, 'missing_claim')
    assert.match(v.explanation.message, /failed on this token/)
    const notString = provider('gcp-provider.json', {
      attributeMapping: { 'google.subject': 'assertion.iat' },
      attributeCondition: '',
    })
    assert.match(
      rejected(run({}, notString)).explanation.message,
      /must map to a string, got number/,
    )
    const optional = provider('gcp-provider.json', {
      attributeMapping: {
        'google.subject': 'assertion.sub',
        'attribute.env': 'assertion.environment',
      },
      attributeCondition: '',
    })
    assert.equal(run({}, optional).accepted, true)
  })

  it('rejects a deleted or disabled provider with invalid_target', () => {
    const deleted = rejected(run({}, provider('gcp-provider.json', { state: 'DELETED' })))
    assert.equal(deleted.code, 'invalid_target')
    assert.equal(deleted.explanation.check, 'gcp.provider.state')
    const disabled = rejected(run({}, provider('gcp-provider.json', { disabled: true })))
    assert.equal(disabled.explanation.check, 'gcp.provider.disabled')
    assert.equal(disabled.explanation.code, 'target_not_allowed')
  })

  it('calls an expired token stale to sign-in', () => {
    const v = rejected(run({ exp: fixtureNow - 1 }))
    assert.equal(v.message, `ID Token issued at ${fixtureNow - 60} is stale to sign-in.`)
    assert.equal(v.explanation.code, 'expired')
    assert.equal(
      rejected(run({ exp: undefined })).explanation.message,
      'the token has no numeric exp claim',
    )
  })
})

describe('GCP provider files', () => {
  it('lists every problem at once', () => {
    assert.throws(
      () =>
        parseGcpProvider(
          JSON.stringify({
            name: 'pools/x',
            disabled: 'no',
            oidc: { issuerUri: 'https://x', allowedAudiences: Array(11).fill('a') },
            attributeMapping: {
              'attribute.Bad-Name': 'assertion.sub',
              'attribute.ok': 3,
              'attribute.x': '1 +',
            },
            attributeCondition: 'assertion.sub ==',
          }),
          'p.json',
        ),
      (e) => isTesseraError(e) && e.code === 'invalid_config' && e.problems?.length === 8,
    )
    assert.throws(
      () =>
        parseGcpProvider(JSON.stringify({ name: gcpProviderName, attributeMapping: [] }), 'p.json'),
      (e) => isTesseraError(e) && e.problems?.length === 2,
    )
    assert.throws(
      () =>
        parseGcpProvider(
          JSON.stringify({
            ...JSON.parse(fixtureText('gcp-provider.json')),
            attributeCondition: 'x'.repeat(4097),
          }),
          'p.json',
        ),
      /at most 4096 characters/,
    )
    assert.throws(() => parseGcpProvider('null', 'p.json'), /expected a JSON object/)
  })
})
