import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { GcpDialectSection } from './config-schema.ts'
import { parseGenerateAccessToken } from './generate-access-token.ts'
import { parseGoogleSts } from './parse.ts'
import { gcpPolicies } from './policies.ts'
import { findProvider } from './provider-name.ts'

// A section that declares only `pools` (for `tessera cloud export`): the dialect's own lists
// are optional and every reader treats them as empty.
const section: GcpDialectSection = {
  projectNumber: '42',
  pools: [{ pool: 'tessera-pool', provider: 'tessera', workloads: ['spiffe://example.org/x'] }],
}
const audience =
  '//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/providers/x'

function refusal(fn: () => unknown): { code: string; check?: string; message: string } {
  try {
    fn()
  } catch (error) {
    return error as { code: string; check?: string; message: string }
  }
  assert.fail('no error')
}

describe('clouds.gcp without providers or serviceAccounts', () => {
  test('implies no policy, with or without an issuer URL', () => {
    assert.deepEqual(gcpPolicies(section), [])
    assert.deepEqual(gcpPolicies(section, 'https://tessera.example'), [])
  })

  test('finds no provider, and STS says none is configured', () => {
    assert.equal(findProvider(section, audience), undefined)
    const error = refusal(() =>
      parseGoogleSts(
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          audience,
          requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          subject_token: 'a.b.c',
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        }),
        section,
      ),
    )
    assert.equal(error.code, 'target_not_allowed')
    assert.match(error.message, /no GCP provider is configured \(clouds\.gcp\.providers\)/)
  })

  test('generateAccessToken names no configured service account', () => {
    const error = refusal(() =>
      parseGenerateAccessToken(
        {
          resource: 'sa@x.iam.gserviceaccount.com:generateAccessToken',
          authorization: 'Bearer a.b.c',
          body: { scope: ['https://www.googleapis.com/auth/cloud-platform'] },
        },
        section,
      ),
    )
    assert.equal(error.code, 'target_not_allowed')
    assert.equal(error.check, 'service_account')
    assert.match(error.message, /is not configured \(clouds\.gcp\.serviceAccounts\)/)
  })
})
