import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { GcpDialectSection } from './config-schema.ts'
import {
  compileMembers,
  memberPattern,
  parseMember,
  serviceAccountMemberProblems,
} from './members.ts'
import { gcpPolicies } from './policies.ts'

const prefix = (project: string, pool: string) =>
  `iam.googleapis.com/projects/${project}/locations/global/workloadIdentityPools/${pool}`
const principal = (pool: string, subject: string, project = '42') =>
  `principal://${prefix(project, pool)}/subject/${subject}`
const principalSet = (pool: string, project = '42') => `principalSet://${prefix(project, pool)}/*`
const provider = (pool: string, id: string) => ({
  pool,
  provider: id,
  issuer: 'https://ci.test',
  target: `https://${pool}.fed.test`,
})
const providers = [provider('ci', 'gh'), provider('ci', 'gl'), provider('sandbox', 'any')]

describe('service account members', () => {
  test('the schema pattern takes the two documented forms and nothing else', () => {
    const pattern = new RegExp(memberPattern)
    assert.ok(pattern.test(principal('ci', 'repo:acme/app:ref:refs/heads/main')))
    assert.ok(pattern.test(principalSet('ci')))
    for (const bad of [
      `principalSet://${prefix('42', 'ci')}/group/admins`,
      `principalSet://${prefix('42', 'ci')}/attribute.repository/acme`,
      `principal://${prefix('42', 'ci')}/subject/`,
      `principal://${prefix('x', 'ci')}/subject/s`,
      'serviceAccount:sa@x.iam.gserviceaccount.com',
      `${principalSet('ci')}x`,
    ]) {
      assert.equal(pattern.test(bad), false, bad)
      assert.equal(parseMember(bad), undefined, bad)
    }
    assert.deepEqual(parseMember(principal('ci', 'a/b')), {
      projectNumber: '42',
      pool: 'ci',
      subject: 'a/b',
    })
    assert.deepEqual(parseMember(principalSet('ci', '7')), { projectNumber: '7', pool: 'ci' })
  })

  test('a principal binds its pool and subject; a principalSet every identity of its pool', () => {
    const binding = compileMembers(
      {
        email: 'sa@x',
        target: 't',
        members: [principal('ci', 'say "hi"\\'), principalSet('sandbox')],
      },
      '42',
      providers,
    )
    assert.deepEqual(binding, {
      clients: ['gcp:ci:gh', 'gcp:ci:gl', 'gcp:sandbox:any'],
      audiences: ['https://ci.fed.test', 'https://sandbox.fed.test'],
      expression: `(claims.client_id in ["gcp:ci:gh", "gcp:ci:gl"] && claims.sub == "principal://${prefix('42', 'ci')}/subject/say \\"hi\\"\\\\") || (claims.client_id in ["gcp:sandbox:any"])`,
    })
  })

  test('members of another project or of a pool without providers bind nothing', () => {
    const account = {
      email: 'sa@x',
      target: 't',
      members: [principalSet('ci', '7'), principalSet('nowhere'), 'not a member'],
    }
    assert.equal(compileMembers(account, '42', providers), undefined)
    // No binding, no policy: generateAccessToken for the account finds none and is refused.
    const section: GcpDialectSection = {
      projectNumber: '42',
      providers,
      serviceAccounts: [account],
    }
    assert.deepEqual(
      gcpPolicies(section, 'https://tessera.test').map((p) => p.name),
      ['gcp:ci:gh', 'gcp:ci:gl', 'gcp:sandbox:any'],
    )
    assert.deepEqual(serviceAccountMemberProblems(section), [
      {
        path: '/clouds/gcp/serviceAccounts/0/members/0',
        message: 'names project "7", but clouds.gcp.projectNumber is "42"',
      },
      {
        path: '/clouds/gcp/serviceAccounts/0/members/1',
        message:
          'names pool "nowhere", which no clouds.gcp.providers entry belongs to (pools: "ci", "sandbox")',
      },
      {
        path: '/clouds/gcp/serviceAccounts/0/members/2',
        message:
          '"not a member" is neither principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/S nor principalSet://…/workloadIdentityPools/P/*',
      },
    ])
    assert.deepEqual(serviceAccountMemberProblems(undefined), [])
    assert.match(
      serviceAccountMemberProblems({
        projectNumber: '42',
        serviceAccounts: [{ email: 'sa@x', target: 't', members: [principalSet('ci')] }],
      })[0]?.message ?? '',
      /\(pools: none\)$/,
    )
  })
})
