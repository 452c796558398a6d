import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { configDir } from '../../config/testing/config-files.ts'
import { desiredCloudState, renderCloudExport, tlsThumbprints } from '../export/index.ts'
import { exportDocument, gcpName, paymentsId } from '../export/testing/export-config.ts'
import { compareCloud, driftSarif } from './index.ts'

const now = 1_893_456_000
const dir = configDir()
after(() => dir.remove())
const certPem = readFileSync(new URL('../../config/fixtures/tls-cert.pem', import.meta.url), 'utf8')
const jwks = {
  keys: [
    { kty: 'EC', kid: 'current-1' },
    { kty: 'EC', kid: 'next-2' },
  ],
}
const state = desiredCloudState(dir.parse(exportDocument()), {
  jwks,
  tlsThumbprints: tlsThumbprints(certPem),
})
const file = (source: string, value: unknown) => ({ source, text: JSON.stringify(value) })
const exported = (cloud: 'aws' | 'gcp' | 'azure', path: string) =>
  JSON.parse(renderCloudExport(state, cloud, 'json').find((f) => f.path === path)?.content ?? '')

describe('compareCloud', () => {
  it('a thumbprint list without the served chain is stale_thumbprint', () => {
    const provider = exported('aws', 'aws/oidc-provider.json')
    const [f] = compareCloud(
      state,
      { aws: { provider: file('p.json', { ...provider, ThumbprintList: ['0'.repeat(40)] }) } },
      { now },
    )
    assert.equal(f?.code, 'stale_thumbprint')
    assert.deepEqual(f?.expected, state.aws?.provider.thumbprints)
  })

  it('an http scheme in the provider URL has the scheme hint; an unknown role is drift_extra', () => {
    const provider = exported('aws', 'aws/oidc-provider.json')
    const policy = exported('aws', 'aws/roles/payments-deploy.trust-policy.json')
    const findings = compareCloud(
      state,
      {
        aws: {
          provider: file('p.json', { ...provider, Url: 'http://tessera.example.org' }),
          roles: [
            file('r.json', {
              Role: { RoleName: 'payments-deplyo', AssumeRolePolicyDocument: policy },
            }),
          ],
        },
      },
      { now },
    )
    assert.deepEqual(
      findings.map((f) => [f.code, f.path, f.hint]),
      [
        ['drift_mismatch', 'Url', 'scheme'],
        ['drift_extra', 'RoleName', undefined],
      ],
    )
    // A bare policy is the one configured role's.
    assert.deepEqual(
      compareCloud(state, { aws: { roles: [file('bare.json', policy)] } }, { now }),
      [],
    )
  })

  it('GCP: a disabled provider, a changed mapping and an unknown provider are findings', () => {
    const provider = exported('gcp', 'gcp/tessera-pool/tessera.provider.json')
    const changed = {
      ...provider,
      disabled: true,
      attributeMapping: { 'google.subject': "'x' + assertion.sub" },
      attributeCondition: "assertion.sub == 'spiffe://example.org/ns/prod/sa/Payments'",
    }
    const findings = compareCloud(state, { gcp: { providers: [file('g.json', changed)] } }, { now })
    assert.deepEqual(
      findings.map((f) => [f.code, f.path, f.hint]),
      [
        ['drift_mismatch', 'disabled', undefined],
        ['drift_mismatch', 'attributeMapping["google.subject"]', undefined],
        ['drift_mismatch', 'attributeCondition', undefined],
        // Evaluated: the minted subjects Google now refuses (ci/sample, then payments by case).
        ['drift_mismatch', 'attributeCondition', 'path'],
        ['drift_mismatch', 'attributeCondition', 'case'],
      ],
    )
    const other = { ...provider, name: gcpName.replace('tessera-pool', 'other-pool') }
    const [extra] = compareCloud(state, { gcp: { providers: [file('o.json', other)] } }, { now })
    assert.equal(extra?.code, 'drift_extra')
  })

  it('GCP on an unreachable issuer: a provider without the uploaded JWKS is drift_missing', () => {
    const local = desiredCloudState(dir.parse(exportDocument('http://127.0.0.1:8080')), { jwks })
    const provider = JSON.parse(
      renderCloudExport(local, 'gcp', 'json').find((f) => f.path.endsWith('.provider.json'))
        ?.content ?? '',
    )
    assert.deepEqual(
      compareCloud(local, { gcp: { providers: [file('g.json', provider)] } }, { now }),
      [],
    )
    delete provider.oidc.jwksJson
    const [f] = compareCloud(local, { gcp: { providers: [file('g.json', provider)] } }, { now })
    assert.deepEqual(
      [f?.code, f?.path, f?.expected],
      ['drift_missing', 'oidc.jwksJson', ['current-1', 'next-2']],
    )
  })

  it('Azure: a missing credential is drift_missing, one nothing declares drift_extra', () => {
    const fic = exported('azure', 'azure/payments-id/tessera-ns-prod-sa-payments.json')
    const findings = compareCloud(
      state,
      {
        azure: {
          credentials: [
            file('f.json', [{ ...fic, name: 'legacy', subject: 'spiffe://example.org/old' }]),
          ],
        },
      },
      { now },
    )
    assert.deepEqual(
      findings.map((f) => [f.code, f.path]),
      [
        ['drift_missing', 'subject'],
        ['drift_extra', 'name'],
      ],
    )
    assert.equal(findings[0]?.resource, 'payments-id/tessera-ns-prod-sa-payments')
    assert.deepEqual(findings[0]?.expected, [paymentsId])
  })

  it('refuses unreadable live files and clouds the configuration does not declare', () => {
    const gcpOnly = desiredCloudState(dir.parse(exportDocument('http://127.0.0.1:8080')), { jwks })
    const invalid = (e: Error & { code?: string }) => e.code === 'invalid_config'
    assert.throws(() => compareCloud(gcpOnly, { azure: { credentials: [] } }, { now }), invalid)
    assert.throws(
      () =>
        compareCloud(
          state,
          { aws: { roles: [{ source: 'r', text: '{"Role":{"AssumeRolePolicyDocument":"%"}}' }] } },
          { now },
        ),
      invalid,
    )
    assert.throws(
      () => compareCloud(state, { azure: { credentials: [{ source: 'f', text: '[' }] } }, { now }),
      invalid,
    )
    const provider = exported('gcp', 'gcp/tessera-pool/tessera.provider.json')
    provider.oidc.jwksJson = '{"nokeys":1}'
    assert.throws(
      () => compareCloud(state, { gcp: { providers: [file('g.json', provider)] } }, { now }),
      invalid,
    )
  })

  it('SARIF keeps relative sources relative', () => {
    const log = driftSarif([
      {
        code: 'drift_extra',
        cloud: 'aws',
        resource: 'r',
        path: 'p',
        source: 'live/p.json',
        message: 'm',
      },
    ]) as unknown as {
      runs: {
        results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[]
      }[]
    }
    assert.equal(
      log.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri,
      'live/p.json',
    )
  })
})
