import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { stringify } from 'yaml'
import {
  exportDocument,
  exportIssuer,
  gcpName,
  paymentsId,
} from '../../cloud/export/testing/export-config.ts'
import { createKeyManager, type KeyManager } from '../../issuer/index.ts'
import { MemoryKeyStore } from '../../issuer/testing/memory-stores.ts'
import { testKek, testSettings } from '../../issuer/testing/settings.ts'
import { runCli } from '../main.ts'
import { memoryOutput } from '../output/stream.ts'

const now = 1_893_456_000
const dir = mkdtempSync(join(tmpdir(), 'tessera-doctor-cloud-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const write = (name: string, content: unknown): string => {
  const path = join(dir, name)
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2))
  return path
}
const config = write('tessera.yaml', stringify(exportDocument()))
let keys: KeyManager
let jwksFile: string
let exported: Record<string, string>

before(async () => {
  keys = createKeyManager({
    store: new MemoryKeyStore(),
    settings: testSettings({ algorithm: 'RS256', issuerUrl: exportIssuer }),
    kek: testKek,
    clock: () => now,
  })
  await keys.ensure()
  jwksFile = write('jwks.json', keys.jwks())
  const out = join(dir, 'export')
  for (const cloud of ['--aws', '--gcp', '--azure']) {
    const o = memoryOutput()
    assert.equal(await runCli(['cloud', 'export', cloud, '--config', config, '--out', out], o), 0)
  }
  const read = (p: string) => readFileSync(join(out, p), 'utf8')
  exported = {
    provider: read('aws/oidc-provider.json'),
    policy: read('aws/roles/payments-deploy.trust-policy.json'),
    gcp: read('gcp/tessera-pool/tessera.provider.json'),
    fic: read('azure/payments-id/tessera-ns-prod-sa-payments.json'),
  }
})

async function doctor(...args: string[]) {
  const output = memoryOutput()
  const status = await runCli(
    ['doctor', 'cloud', '--config', config, '--jwks', jwksFile, '--now', String(now), ...args],
    output,
  )
  return { status, output }
}

async function findings(...args: string[]) {
  const { status, output } = await doctor(...args, '--json')
  assert.equal(status, 1, output.stderr.join('\n'))
  return JSON.parse(output.stdout.join('')).findings as {
    code: string
    hint?: string
    path: string
    expected?: unknown
    actual?: unknown
    source: string
  }[]
}

// The exported files as the CLIs print the live resources.
const liveProvider = (changes: Record<string, unknown> = {}) => {
  const p = JSON.parse(exported.provider as string)
  return {
    ...p,
    Url: p.Url.replace('https://', ''),
    CreateDate: '2026-01-01T00:00:00Z',
    ...changes,
  }
}
const liveRole = (policy: unknown) => ({
  Role: { RoleName: 'payments-deploy', AssumeRolePolicyDocument: policy },
})
const liveGcp = (changes: (p: { oidc: Record<string, unknown> }) => void = () => {}) => {
  const p = JSON.parse(exported.gcp as string)
  changes(p)
  return p
}
const liveFics = (subject = paymentsId) => [
  {
    ...JSON.parse(exported.fic as string),
    subject,
    id: '/subscriptions/s/resourcegroups/payments-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/payments-id/federatedIdentityCredentials/tessera-ns-prod-sa-payments',
    type: 'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials',
  },
]

describe('tessera doctor cloud', () => {
  it('reports no drift (exit 0) for live files equal to the export, the policy URL-encoded', async () => {
    const { status, output } = await doctor(
      '--aws-provider',
      write('p.json', liveProvider()),
      '--aws-role',
      write('r.json', liveRole(encodeURIComponent(exported.policy as string))),
      '--gcp-provider',
      write('g.json', liveGcp()),
      '--azure-fics',
      write('f.json', liveFics()),
    )
    assert.equal(status, 0, output.stdout.join('\n'))
    assert.match(output.stdout.join('\n'), /no drift/)
  })

  it('takes --now as UNIX seconds or as an ISO 8601 date and time with a timezone', async () => {
    const live = ['--aws-provider', write('p-now.json', liveProvider()), '--json']
    const epoch = await doctor(...live)
    assert.equal(epoch.status, 0, epoch.output.stderr.join('\n'))
    // The last --now wins, so each run below overrides the epoch seconds given by doctor().
    for (const iso of ['2030-01-01T00:00:00Z', '2030-01-01T01:00:00+01:00']) {
      assert.equal(new Date(iso).getTime() / 1000, now)
      const run = await doctor(...live, '--now', iso)
      assert.equal(run.status, 0, run.output.stderr.join('\n'))
      assert.deepEqual(run.output.stdout, epoch.output.stdout)
    }
    const local = await doctor(...live, '--now', '2030-01-01 00:00:00')
    assert.equal(local.status, 2)
    assert.match(
      local.output.stderr.join('\n'),
      /--now must be UNIX seconds or an ISO 8601 date and time with a timezone .*"2030-01-01 00:00:00" has no timezone/,
    )
  })

  it('AWS: a trailing slash in the provider URL is drift_mismatch with the trailing_slash hint', async () => {
    const [f, ...rest] = await findings(
      '--aws-provider',
      write('p-slash.json', liveProvider({ Url: 'tessera.example.org/' })),
    )
    assert.equal(rest.length, 0)
    assert.equal(f?.code, 'drift_mismatch')
    assert.equal(f?.hint, 'trailing_slash')
    assert.equal(f?.path, 'Url')
    assert.deepEqual([f?.expected, f?.actual], ['tessera.example.org', 'tessera.example.org/'])
  })

  it('AWS: a client id near the exported one is one drift_mismatch, expected = export', async () => {
    const list = await findings(
      '--aws-provider',
      write('p-ids.json', liveProvider({ ClientIDList: ['sts.amazonaws.com/'] })),
    )
    assert.deepEqual(
      list.map((f) => [f.code, f.path, f.expected, f.actual, f.hint]),
      [
        [
          'drift_mismatch',
          'ClientIDList',
          'sts.amazonaws.com',
          'sts.amazonaws.com/',
          'trailing_slash',
        ],
      ],
    )
    // Nothing alike: the exported id is drift_missing, the live one drift_extra.
    const other = await findings(
      '--aws-provider',
      write('p-other.json', liveProvider({ ClientIDList: ['api://other'] })),
    )
    assert.deepEqual(
      other.map((f) => [f.code, f.expected, f.actual]),
      [
        ['drift_missing', ['sts.amazonaws.com'], ['api://other']],
        ['drift_extra', ['sts.amazonaws.com'], ['api://other']],
      ],
    )
  })

  it('AWS: a StringLike on sub that no longer matches the minted subjects is one drift_mismatch', async () => {
    const policy = JSON.parse(exported.policy as string)
    policy.Statement[1].Condition.StringLike['tessera.example.org:sub'] = [
      'spiffe://example.org/ci-old/*',
    ]
    const list = await findings('--aws-role', write('r-like.json', liveRole(policy)))
    assert.equal(list.length, 1, JSON.stringify(list))
    const [refused] = list
    assert.equal(refused?.code, 'drift_mismatch')
    assert.equal(
      refused?.path,
      'AssumeRolePolicyDocument.Statement[1] (Sid "TesseraWorkloadGlobs").Condition.StringLike["tessera.example.org:sub"]',
    )
    // Expected is what cloud export writes, actual the live value.
    assert.deepEqual(
      [refused?.expected, refused?.actual],
      ['spiffe://example.org/ci/*', 'spiffe://example.org/ci-old/*'],
    )
    assert.equal(refused?.hint, 'path')
  })

  it('GCP: an uploaded JWKS without the current kid is stale_jwks', async () => {
    const kid = String(keys.jwks().keys[0]?.kid)
    const live = liveGcp((p) => {
      p.oidc.jwksJson = JSON.stringify({
        keys: [{ kty: 'RSA', kid: 'retired-1', n: 'x', e: 'AQAB' }],
      })
    })
    const list = await findings('--gcp-provider', write('g-jwks.json', live))
    assert.deepEqual(
      list.map((f) => [f.code, f.path]),
      [
        ['stale_jwks', 'oidc.jwksJson'],
        ['stale_jwks', 'oidc.jwksJson'],
      ],
    )
    assert.deepEqual(list[0]?.expected, [kid])
    assert.deepEqual(list[0]?.actual, ['retired-1'])
  })

  it('GCP: issuer case and a near-miss audience are drift_mismatch with hints, expected = export', async () => {
    const live = liveGcp((p) => {
      p.oidc.issuerUri = 'https://Tessera.example.org'
      p.oidc.allowedAudiences = [`https://iam.googleapis.com/${gcpName}`]
    })
    const list = await findings('--gcp-provider', write('g-iss.json', live))
    assert.deepEqual(
      list.map((f) => [f.code, f.path, f.expected, f.actual, f.hint]),
      [
        [
          'drift_mismatch',
          'oidc.issuerUri',
          'https://tessera.example.org',
          'https://Tessera.example.org',
          'case',
        ],
        [
          'drift_mismatch',
          'oidc.allowedAudiences',
          `//iam.googleapis.com/${gcpName}`,
          `https://iam.googleapis.com/${gcpName}`,
          'scheme',
        ],
      ],
    )
    // Nothing alike: the exported audience is drift_missing, the live one drift_extra.
    const other = await findings(
      '--gcp-provider',
      write(
        'g-aud.json',
        liveGcp((p) => {
          p.oidc.allowedAudiences = ['api://other']
        }),
      ),
    )
    assert.deepEqual(
      other.map((f) => [f.code, f.expected, f.actual, f.hint]),
      [
        ['drift_missing', [`//iam.googleapis.com/${gcpName}`], ['api://other'], undefined],
        ['drift_extra', [`//iam.googleapis.com/${gcpName}`], ['api://other'], undefined],
      ],
    )
  })

  it('Azure: a renamed credential whose issuer has a trailing slash is one drift_mismatch', async () => {
    const [fic] = liveFics()
    const list = await findings(
      '--azure-fics',
      write('f-slash.json', [{ ...fic, name: 'renamed', issuer: `${fic.issuer}/` }]),
    )
    assert.deepEqual(
      list.map((f) => [f.code, f.path, f.expected, f.actual, f.hint]),
      [['drift_mismatch', 'issuer', fic.issuer, `${fic.issuer}/`, 'trailing_slash']],
    )
  })

  it('Azure: a subject differing only in case is drift_mismatch with the case hint', async () => {
    const list = await findings(
      '--azure-fics',
      write('f-case.json', liveFics('spiffe://example.org/ns/prod/sa/Payments')),
    )
    assert.deepEqual(
      list.map((f) => [f.code, f.path, f.hint]),
      [['drift_mismatch', 'subject', 'case']],
    )
  })

  it('--sarif prints a SARIF 2.1.0 log: one error result per finding at the live file', async () => {
    const file = write(
      'p-sarif.json',
      liveProvider({ Url: 'tessera.example.org/', ClientIDList: ['x'] }),
    )
    const { status, output } = await doctor('--aws-provider', file, '--sarif')
    assert.equal(status, 1)
    const log = JSON.parse(output.stdout.join(''))
    assert.equal(log.version, '2.1.0')
    assert.match(log.$schema, /sarif-2\.1\.0/)
    assert.equal(log.runs.length, 1)
    const [run] = log.runs
    assert.equal(run.tool.driver.name, 'tessera')
    assert.deepEqual(
      run.tool.driver.rules.map((r: { id: string }) => r.id),
      ['drift_extra', 'drift_mismatch', 'drift_missing'],
    )
    assert.equal(run.results.length, 3)
    for (const r of run.results) {
      assert.equal(r.level, 'error')
      assert.equal(typeof r.message.text, 'string')
      assert.equal(run.tool.driver.rules[r.ruleIndex].id, r.ruleId)
      assert.equal(r.locations[0].physicalLocation.artifactLocation.uri, `file://${file}`)
    }
    // Each result points at its key in the live file (written with two-space indentation).
    const lines = readFileSync(file, 'utf8').split('\n')
    for (const r of run.results) {
      const { startLine, startColumn } = r.locations[0].physicalLocation.region
      assert.equal(
        lines[startLine - 1]?.slice(startColumn - 1).startsWith(`"${r.properties.path}"`),
        true,
      )
    }
  })

  it('prints findings for people, and refuses bad usage with status 2', async () => {
    const { status, output } = await doctor(
      '--aws-provider',
      write('p-human.json', liveProvider({ Url: 'tessera.example.org/' })),
    )
    assert.equal(status, 1)
    assert.match(
      output.stdout.join('\n'),
      /drift_mismatch aws oidc-provider\/tessera\.example\.org Url/,
    )
    assert.match(output.stdout.join('\n'), /hint: {5}trailing_slash/)
    assert.equal((await doctor()).status, 2)
    assert.equal((await doctor('--aws-provider', join(dir, 'absent.json'))).status, 2)
    assert.equal((await doctor('--aws-provider', write('bad.json', '{'))).status, 2)
    assert.equal((await doctor('--json', '--sarif', '--aws-provider', 'x')).status, 2)
    assert.equal((await doctor('--now', 'soon', '--aws-provider', 'x')).status, 2)
    assert.equal((await doctor('extra')).status, 2)
    const help = memoryOutput()
    assert.equal(await runCli(['doctor', 'cloud', '--help'], help), 0)
    assert.match(help.stdout.join('\n'), /stale_thumbprint/)
  })
})
