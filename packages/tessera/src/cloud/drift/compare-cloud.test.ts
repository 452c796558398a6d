import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, describe, it } from 'node:test'
import { configDir } from '../../config/testing/config-files.ts'
import { desiredCloudState, renderCloudExport, tlsThumbprints } from '../export/index.ts'
import { ciGlob, exportDocument, gcpName, paymentsId } from '../export/testing/export-config.ts'
import { compareCloud, type DriftFinding, driftSarif } from './index.ts'

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
// The exported trust policy: the exact-workload statement, then the glob one.
type AwsStatement = {
  Condition: { StringEquals: Record<string, unknown>; StringLike: Record<string, unknown> }
}
type AwsPolicy = { Statement: [AwsStatement, AwsStatement] }
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

  it('AWS trust policy: one finding per drift, expected = the export, actual = the live value', () => {
    const compareRole = (edit: (policy: AwsPolicy) => void) => {
      const policy = exported('aws', 'aws/roles/payments-deploy.trust-policy.json') as AwsPolicy
      edit(policy)
      return compareCloud(state, { aws: { roles: [file('r.json', policy)] } }, { now }).map((f) => [
        f.code,
        f.path,
        f.expected,
        f.actual,
        f.hint,
      ])
    }
    const [exact, globs] = [
      'AssumeRolePolicyDocument.Statement[0] (Sid "TesseraWorkloads").Condition',
      'AssumeRolePolicyDocument.Statement[1] (Sid "TesseraWorkloadGlobs").Condition',
    ]
    const subKey = 'tessera.example.org:sub'
    const audKey = 'tessera.example.org:aud'
    // A near miss of an exported sub: one drift_mismatch, not a mismatch plus an extra.
    assert.deepEqual(
      compareRole((p) => {
        p.Statement[0].Condition.StringEquals[subKey] = [`${paymentsId}/`]
      }),
      [
        [
          'drift_mismatch',
          `${exact}.StringEquals["${subKey}"]`,
          paymentsId,
          `${paymentsId}/`,
          'trailing_slash',
        ],
      ],
    )
    // Nothing alike: the exported sub is missing, the live one extra; same orientation.
    assert.deepEqual(
      compareRole((p) => {
        p.Statement[0].Condition.StringEquals[subKey] = ['spiffe://other.org/x']
      }),
      [
        [
          'drift_missing',
          `${exact}.StringEquals["${subKey}"]`,
          [paymentsId],
          ['spiffe://other.org/x'],
          undefined,
        ],
        [
          'drift_extra',
          `${exact}.StringEquals["${subKey}"]`,
          [ciGlob, paymentsId],
          ['spiffe://other.org/x'],
          undefined,
        ],
      ],
    )
    // A value only live, next to the exported one: drift_extra alone.
    assert.deepEqual(
      compareRole((p) => {
        p.Statement[1].Condition.StringLike[subKey] = [ciGlob, 'spiffe://other.org/*']
      }),
      [
        [
          'drift_extra',
          `${globs}.StringLike["${subKey}"]`,
          [ciGlob, paymentsId],
          ['spiffe://other.org/*'],
          undefined,
        ],
      ],
    )
    // A glob dropped from the live policy: drift_missing under the StringLike clause.
    assert.deepEqual(
      compareRole((p) => {
        p.Statement.pop()
      }).map(([code, path, expected]) => [code, path, expected]),
      [['drift_missing', `${exact}.StringEquals["${subKey}"]`, [ciGlob]]],
    )
    // A near-miss aud in both statements: one mismatch each (in the order of the
    // workloads the statements refuse), none reported as extra.
    assert.deepEqual(
      compareRole((p) => {
        for (const s of p.Statement) s.Condition.StringEquals[audKey] = 'STS.amazonaws.com'
      }),
      [
        [
          'drift_mismatch',
          `${globs}.StringEquals["${audKey}"]`,
          'sts.amazonaws.com',
          'STS.amazonaws.com',
          'case',
        ],
        [
          'drift_mismatch',
          `${exact}.StringEquals["${audKey}"]`,
          'sts.amazonaws.com',
          'STS.amazonaws.com',
          'case',
        ],
      ],
    )
  })

  it('AWS trust policy: keys, principals and Deny statements the export does not write', () => {
    const policy = exported('aws', 'aws/roles/payments-deploy.trust-policy.json') as AwsPolicy
    const run = (doc: unknown) =>
      compareCloud(state, { aws: { roles: [file('r.json', doc)] } }, { now }).map((f) => [
        f.code,
        f.expected,
        f.actual,
        f.hint,
      ])
    const [statement] = policy.Statement
    const conditions = statement?.Condition.StringEquals ?? {}
    // The sub key spelled with a trailing slash on the provider: a near miss of the exported key.
    const slashKey = {
      ...statement,
      Condition: {
        StringEquals: {
          'tessera.example.org:aud': conditions['tessera.example.org:aud'],
          'tessera.example.org/:sub': paymentsId,
        },
      },
    }
    assert.deepEqual(run({ Statement: [slashKey] })[0], [
      'drift_mismatch',
      'tessera.example.org:sub',
      'tessera.example.org/:sub',
      'trailing_slash',
    ])
    const amr = { ...statement, Condition: { StringEquals: { 'tessera.example.org:amr': 'mfa' } } }
    assert.equal(run({ Statement: [amr] })[0]?.[0], 'drift_extra')
    // A principal that is not the provider: the export's is missing.
    const principal = {
      ...statement,
      Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/elsewhere.example' },
    }
    assert.equal(run({ Statement: [principal] })[0]?.[0], 'drift_missing')
    // A Deny only the live policy has.
    const deny = { ...statement, Sid: 'Block', Effect: 'Deny' }
    assert.deepEqual(run({ Statement: [...policy.Statement, deny] })[0]?.slice(0, 1), [
      'drift_extra',
    ])
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
            file('f.json', [{ ...fic, name: 'legacy', subject: 'spiffe://other.org/old' }]),
          ],
        },
      },
      { now },
    )
    assert.deepEqual(
      findings.map((f) => [f.code, f.path, f.hint]),
      [
        ['drift_missing', 'subject', undefined],
        ['drift_extra', 'name', undefined],
      ],
    )
    assert.equal(findings[0]?.resource, 'payments-id/tessera-ns-prod-sa-payments')
    assert.deepEqual(findings[0]?.expected, [paymentsId])
  })

  it('Azure: a credential under another name that nearly matches is one drift_mismatch', () => {
    const fic = exported('azure', 'azure/payments-id/tessera-ns-prod-sa-payments.json')
    const run = (...credentials: unknown[]) =>
      compareCloud(state, { azure: { credentials: [file('f.json', credentials)] } }, { now }).map(
        (f) => [f.code, f.resource, f.path, f.expected, f.actual, f.hint],
      )
    const resource = 'payments-id/tessera-ns-prod-sa-payments'
    // Same trust domain, another path: a near miss of the exported subject.
    assert.deepEqual(run({ ...fic, name: 'legacy', subject: 'spiffe://example.org/old' }), [
      ['drift_mismatch', resource, 'subject', paymentsId, 'spiffe://example.org/old', 'path'],
    ])
    // The issuer with a trailing slash and the subject in another case: one finding each.
    assert.deepEqual(
      run({ ...fic, name: 'legacy', issuer: `${fic.issuer}/`, subject: paymentsId.toUpperCase() }),
      [
        ['drift_mismatch', resource, 'issuer', fic.issuer, `${fic.issuer}/`, 'trailing_slash'],
        ['drift_mismatch', resource, 'subject', paymentsId, paymentsId.toUpperCase(), 'case'],
      ],
    )
    // The exact credential wins over a near miss listed before it, which is then extra.
    const near = { ...fic, name: 'legacy', issuer: `${fic.issuer}/` }
    assert.deepEqual(
      run(near, { ...fic, name: 'renamed' }).map(([code, , path]) => [code, path]),
      [['drift_extra', 'name']],
    )
  })

  it('GCP: an attribute the export does not map is drift_extra; a changed one is reported once', () => {
    const provider = exported('gcp', 'gcp/tessera-pool/tessera.provider.json')
    const run = (attributeMapping: Record<string, string>) =>
      compareCloud(
        state,
        { gcp: { providers: [file('g.json', { ...provider, attributeMapping })] } },
        { now },
      ).map((f) => [f.code, f.path, f.expected, f.actual])
    const { 'google.subject': subject } = provider.attributeMapping
    assert.deepEqual(run({ 'google.subject': subject, 'attribute.team': "'payments'" }), [
      ['drift_extra', 'attributeMapping["attribute.team"]', ['google.subject'], ['attribute.team']],
    ])
    // google.subject mapped to a claim the token lacks: Google refuses every minted token, and
    // that refusal is the mapping's one finding, not one more per workload.
    assert.deepEqual(run({ 'google.subject': 'assertion.email' }), [
      ['drift_mismatch', 'attributeMapping["google.subject"]', subject, 'assertion.email'],
    ])
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

  it('SARIF gives each result the region of its path in the live file, when found', () => {
    const policy = exported('aws', 'aws/roles/payments-deploy.trust-policy.json') as AwsPolicy
    policy.Statement[0].Condition.StringEquals['tessera.example.org:sub'] = [`${paymentsId}/`]
    const role = {
      source: 'live/role.json',
      text: JSON.stringify(
        { Role: { RoleName: 'payments-deploy', AssumeRolePolicyDocument: policy } },
        null,
        2,
      ),
    }
    const live = { aws: { roles: [role] } }
    const findings = compareCloud(state, live, { now })
    const log = driftSarif(
      [...findings, { ...(findings[0] as DriftFinding), path: 'NotThere' }],
      live,
    ) as unknown as {
      runs: { results: { locations: { physicalLocation: { region?: unknown } }[] }[] }[]
    }
    const regions = log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation.region)
    const lines = role.text.split('\n')
    const line = lines.findIndex((l) => l.includes('"tessera.example.org:sub"')) + 1
    const column = (lines[line - 1] ?? '').indexOf('"tessera.example.org:sub"') + 1
    assert.ok(line > 0 && column > 1)
    assert.deepEqual(regions, [{ startLine: line, startColumn: column }, undefined])
    // Without the live files, no region.
    assert.equal(
      (driftSarif(findings) as unknown as typeof log).runs[0]?.results[0]?.locations[0]
        ?.physicalLocation.region,
      undefined,
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
