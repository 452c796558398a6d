import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { googleCondition } from './attribute-condition.ts'
import { gcpPolicies } from './policies.ts'

const provider = { pool: 'p', provider: 'x', issuer: 'https://ci.test', target: 'https://fed.test' }
const name = '//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/providers/x'
const pool = (id: string, project = '42') =>
  `principalSet://iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${id}`

describe('gcpPolicies', () => {
  test('a provider implies gcp:<pool>:<provider> with the default audiences', () => {
    const [policy] = gcpPolicies({
      projectNumber: '42',
      providers: [provider],
      serviceAccounts: [],
    })
    assert.equal(policy?.name, 'gcp:p:x')
    assert.deepEqual(policy?.audience, [name, `https:${name}`])
    assert.deepEqual(policy?.targets, ['https://fed.test'])
    assert.equal(
      policy?.output?.subject,
      'principal://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/subject/{sub}',
    )
    assert.equal(
      policy?.condition?.message,
      'The given credential is rejected by the attribute condition.',
    )
  })
  test('allowedAudiences replace the default; accounts need the issuer URL', () => {
    const section = {
      projectNumber: '42',
      providers: [{ ...provider, allowedAudiences: ['https://aud.test'] }],
      serviceAccounts: [
        { email: 'sa@x', target: 'storage', scopes: ['s'], members: [`${pool('p')}/*`] },
      ],
    }
    assert.equal(gcpPolicies(section).length, 1)
    const [p, sa] = gcpPolicies(section, 'https://tessera.test')
    assert.deepEqual(p?.audience, ['https://aud.test'])
    assert.equal(p?.dialect, 'google-sts')
    assert.deepEqual(sa, {
      name: 'gcp:sa:sa@x',
      dialect: 'google-iam-credentials',
      issuer: 'https://tessera.test',
      audience: ['https://fed.test'],
      claims: { client_id: ['gcp:p:x'] },
      condition: {
        expression: '(claims.client_id in ["gcp:p:x"])',
        message:
          'the presented STS token is not of a principal clouds.gcp.serviceAccounts["sa@x"].members binds (roles/iam.workloadIdentityUser)',
      },
      targets: ['storage'],
      scopes: ['s'],
    })
    assert.deepEqual(gcpPolicies(undefined), [])
  })
})

describe('googleCondition', () => {
  test('binds assertion, google and attribute around the condition', () => {
    const built = googleCondition(
      { 'google.subject': 'assertion.repo_id', 'attribute.repo': 'assertion["repository"]' },
      'attribute.repo == "a"',
    )
    assert.equal(built.subjectPlaceholder, '{claims.repo_id}')
    assert.equal(
      built.expression,
      'cel.bind(assertion, claims, cel.bind(google, {"subject": (assertion.repo_id)}, cel.bind(attribute, {"repo": (assertion["repository"])}, (attribute.repo == "a"))))',
    )
    assert.equal(googleCondition(undefined, undefined).subjectPlaceholder, '{sub}')
    assert.match(googleCondition(undefined, ' ').expression, /\(true\)\)\)\)$/)
  })
  test('a piece that does not parse alone is returned alone, so its parse error is reported', () => {
    assert.equal(googleCondition(undefined, 'a) || (true').expression, 'a) || (true')
    assert.equal(googleCondition({ 'google.subject': 'x)' }, undefined).expression, 'x)')
  })
  test('mapping problems become an unknown variable naming them', () => {
    assert.match(
      googleCondition({ 'google.subjekt': 'assertion.sub' }, undefined).expression,
      /^gcp_attribute_mapping_key/,
    )
    assert.match(
      googleCondition({ 'attribute.a': 'assertion.sub' }, undefined).expression,
      /must_map_google_subject/,
    )
    assert.match(
      googleCondition({ 'google.subject': 'assertion.sub + "x"' }, undefined).expression,
      /claim_path/,
    )
  })
})
