import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { configDir, minimal } from '../testing/config-files.ts'

const files = configDir()
after(() => files.remove())

const projectNumber = '123456789012'
const pool = {
  pool: 'tessera-pool',
  provider: 'tessera',
  workloads: ['spiffe://example.org/ns/prod/sa/payments'],
  serviceAccount: 'deployer@payments.iam.gserviceaccount.com',
}
// Tessera mints the pool's tokens for the provider's default audience: an inventory audience.
const inventory = {
  services: [
    {
      name: 'gcp-federation',
      audiences: [
        `//iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool.pool}/providers/${pool.provider}`,
      ],
    },
  ],
}

describe('clouds.gcp', () => {
  it('loads with only projectNumber and pools: providers and serviceAccounts default to empty', () => {
    const config = files.parse({
      ...minimal,
      inventory,
      clouds: { gcp: { projectNumber, pools: [pool] } },
    })
    const gcp = config.clouds.gcp
    assert.ok(gcp)
    assert.deepEqual(gcp.pools, [pool])
    assert.deepEqual(gcp.providers, [])
    assert.deepEqual(gcp.serviceAccounts, [])
    // No provider, so the Google STS dialect implies no policy.
    assert.deepEqual(config.policies.policyNames, [])
  })

  it('still checks the lists when they are given', () => {
    const problems = files.problems({
      ...minimal,
      clouds: { gcp: { projectNumber, providers: [{ pool: 'p' }], serviceAccounts: 'none' } },
    })
    const paths = problems.map((p) => p.path)
    assert.ok(
      paths.some((p) => p.startsWith('/clouds/gcp/providers/0')),
      JSON.stringify(problems),
    )
    assert.ok(paths.includes('/clouds/gcp/serviceAccounts'), JSON.stringify(problems))
  })

  it('requires each service account to bind members, of a configured pool', () => {
    const provider = {
      pool: 'ci-pool',
      provider: 'github',
      // Tessera's own issuer (minimal's publicUrl): trusted without a trustedIssuers entry.
      issuer: 'http://127.0.0.1:8080',
      target: 'gcp-federation',
    }
    const account = { email: 'sa@p.iam.gserviceaccount.com', target: 'gcp-federation' }
    const principalSet = (pool: string) =>
      `principalSet://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/*`
    const problems = files.problems({
      ...minimal,
      inventory,
      clouds: {
        gcp: {
          projectNumber,
          providers: [provider],
          serviceAccounts: [
            account,
            { ...account, members: [] },
            { ...account, members: [`principalSet://iam.googleapis.com/projects/1/x/*`] },
          ],
        },
      },
    })
    assert.deepEqual(
      problems.map((p) => [p.path, p.message.slice(0, 26)]),
      [
        ['/clouds/gcp/serviceAccounts/0/members', 'is required'],
        ['/clouds/gcp/serviceAccounts/1/members', 'must not be an empty list'],
        ['/clouds/gcp/serviceAccounts/2/members/0', 'must match the pattern ^(p'],
      ],
    )
    // Well-formed, but a pool no provider serves: a binding no STS token could ever satisfy.
    const unbound = files.problems({
      ...minimal,
      inventory,
      clouds: {
        gcp: {
          projectNumber,
          providers: [provider],
          serviceAccounts: [
            { ...account, members: [principalSet('ci-pool'), principalSet('other')] },
          ],
        },
      },
    })
    assert.deepEqual(unbound, [
      {
        path: '/clouds/gcp/serviceAccounts/0/members/1',
        message:
          'names pool "other", which no clouds.gcp.providers entry belongs to (pools: "ci-pool")',
      },
    ])
  })
})
