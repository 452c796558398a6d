import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, it } from 'node:test'
import { decodeJwt } from '@tessera/verify'
import { configDir } from '../../config/testing/config-files.ts'
import { createKeyManager, createMinter, type KeyManager } from '../../issuer/index.ts'
import { MemoryKeyStore } from '../../issuer/testing/memory-stores.ts'
import { testKek, testSettings } from '../../issuer/testing/settings.ts'
import {
  evaluateAws,
  evaluateAzure,
  evaluateGcp,
  parseAwsProvider,
  parseFederatedCredential,
  parseGcpProvider,
  parseTrustPolicy,
} from '../index.ts'
import { desiredCloudState, renderCloudExport, tlsThumbprints } from './index.ts'
import {
  ciGlob,
  exportDocument,
  exportIssuer,
  gcpAudience,
  gcpName,
  paymentsId,
} from './testing/export-config.ts'

const now = 1_893_456_000
const dir = configDir()
after(() => dir.remove())
let keys: KeyManager

before(async () => {
  keys = createKeyManager({
    store: new MemoryKeyStore(),
    settings: testSettings({ algorithm: 'RS256', issuerUrl: exportIssuer }),
    kek: testKek,
    clock: () => now,
  })
  await keys.ensure()
})

// A token minted by Tessera's own issuer part, decoded as the cloud models read it.
function mint(sub: string, aud: string) {
  const minter = createMinter({ keys, issuerUrl: exportIssuer, clock: () => now })
  const { token } = minter.mint({ typ: 'JWT', claims: { sub, aud, exp: now + 300 } })
  const { header, claims } = decodeJwt(token, 16_384)
  return { header, claims, now }
}

const certPem = readFileSync(new URL('../../config/fixtures/tls-cert.pem', import.meta.url), 'utf8')

function state() {
  const config = dir.parse(exportDocument())
  return desiredCloudState(config, { jwks: keys.jwks(), tlsThumbprints: tlsThumbprints(certPem) })
}

const content = (files: { path: string; content: string }[], path: string): string => {
  const found = files.find((f) => f.path === path)
  assert.ok(found, `export has ${path}; it has ${files.map((f) => f.path).join(', ')}`)
  return found.content
}

describe('cloud export round trip', () => {
  it('AWS: the exported provider and trust policy accept minted tokens of each workload, and no other', () => {
    const files = renderCloudExport(state(), 'aws', 'json')
    const providerJson = JSON.parse(content(files, 'aws/oidc-provider.json'))
    assert.equal(providerJson.Url, exportIssuer)
    assert.match(providerJson.ThumbprintList[0], /^[0-9a-f]{40}$/)
    const provider = parseAwsProvider(content(files, 'aws/oidc-provider.json'), 'provider.json')
    const trustPolicy = parseTrustPolicy(
      content(files, 'aws/roles/payments-deploy.trust-policy.json'),
      'policy.json',
    )
    const model = { provider, trustPolicy }
    assert.deepEqual(evaluateAws(model, mint(paymentsId, 'sts.amazonaws.com')), { accepted: true })
    assert.deepEqual(
      evaluateAws(model, mint('spiffe://example.org/ci/build-7', 'sts.amazonaws.com')),
      { accepted: true },
    )
    const other = evaluateAws(model, mint('spiffe://example.org/ns/dev/sa/x', 'sts.amazonaws.com'))
    assert.equal(other.accepted, false)
    assert.equal(!other.accepted && other.code, 'AccessDenied')
    const policy = JSON.parse(content(files, 'aws/roles/payments-deploy.trust-policy.json'))
    const [exact, globs] = policy.Statement
    assert.deepEqual(exact.Condition.StringEquals['tessera.example.org:sub'], [paymentsId])
    assert.equal(exact.Condition.StringLike, undefined)
    assert.deepEqual(globs.Condition.StringLike['tessera.example.org:sub'], [ciGlob])
    assert.equal(globs.Condition.StringEquals['tessera.example.org:aud'], 'sts.amazonaws.com')
  })

  it('GCP: the exported provider accepts minted tokens; the binding names the SPIFFE subject', () => {
    const files = renderCloudExport(state(), 'gcp', 'json')
    const text = content(files, 'gcp/tessera-pool/tessera.provider.json')
    const provider = parseGcpProvider(text, 'provider.json')
    assert.equal(provider.name, gcpName)
    assert.deepEqual(evaluateGcp(provider, mint(paymentsId, gcpAudience)), { accepted: true })
    assert.deepEqual(evaluateGcp(provider, mint('spiffe://example.org/ci/x', gcpAudience)), {
      accepted: true,
    })
    const refused = evaluateGcp(provider, mint('spiffe://example.org/other', gcpAudience))
    assert.equal(!refused.accepted && refused.code, 'unauthorized_client')
    const bindings = JSON.parse(content(files, 'gcp/bindings.json'))
    assert.deepEqual(
      bindings.map((b: { member: string }) => b.member),
      [
        'principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/tessera-pool/subject/spiffe://example.org/ns/prod/sa/payments',
        'principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/tessera-pool/*',
      ],
    )
    // A public https issuer: Google fetches the JWKS itself, nothing to upload.
    assert.equal(JSON.parse(text).oidc.jwksJson, undefined)
    assert.ok(!files.some((f) => f.path.endsWith('.jwks.json')))
  })

  it('GCP on a loopback http issuer: the JWKS to upload is exported and matches the key store', () => {
    const config = dir.parse(exportDocument('http://127.0.0.1:8080'))
    const jwks = keys.jwks()
    const files = renderCloudExport(desiredCloudState(config, { jwks }), 'gcp', 'json')
    const uploaded = JSON.parse(content(files, 'gcp/tessera-pool/tessera.jwks.json'))
    assert.deepEqual(
      uploaded.keys.map((k: { kid: string }) => k.kid),
      jwks.keys.map((k) => k.kid),
    )
    const flags = JSON.parse(content(files, 'gcp/tessera-pool/tessera.create-oidc.json')).flags
    assert.equal(flags['--jwk-json-path'], 'gcp/tessera-pool/tessera.jwks.json')
    assert.throws(
      () => desiredCloudState(config),
      (e: Error & { code?: string }) => e.code === 'invalid_config' && /JWKS/.test(e.message),
    )
  })

  it('Azure: each exported federated credential accepts the minted token of its workload', () => {
    const files = renderCloudExport(state(), 'azure', 'json')
    assert.deepEqual(
      files.map((f) => f.path),
      ['azure/payments-id/tessera-ns-prod-sa-payments.json'],
    )
    const fic = parseFederatedCredential(files[0]?.content ?? '', 'fic.json')
    assert.deepEqual(evaluateAzure([fic], mint(paymentsId, 'api://AzureADTokenExchange')), {
      accepted: true,
    })
    const refused = evaluateAzure(
      [fic],
      mint(paymentsId.toUpperCase(), 'api://AzureADTokenExchange'),
    )
    assert.equal(refused.accepted, false)
  })

  it('is deterministic: the same configuration gives the same bytes, in JSON and Terraform', () => {
    for (const cloud of ['aws', 'gcp', 'azure'] as const)
      for (const format of ['json', 'terraform'] as const) {
        const first = renderCloudExport(state(), cloud, format)
        const second = renderCloudExport(state(), cloud, format)
        assert.deepEqual(second, first)
        for (const f of first) assert.ok(f.content.endsWith('}\n') || f.content.endsWith(']\n'))
      }
  })
})
