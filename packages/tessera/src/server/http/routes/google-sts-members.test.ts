import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeJwt } from '@tessera/verify'
import {
  cloudPlatform,
  createGoogleStsWorld,
  federatedAudience,
  type GoogleStsWorld,
  poolAccount,
  providerName,
  sandboxProviderName,
  serviceAccount,
  storage,
} from '../testing/google-sts-world.ts'

const permissionDenied =
  "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."

// The STS step: a federated token of the pool whose provider `audience` names.
async function federated(
  world: GoogleStsWorld,
  claims: Record<string, unknown>,
  audience = providerName,
): Promise<string> {
  const response = await world.app.inject({
    method: 'POST',
    url: '/v1/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience,
      scope: cloudPlatform,
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: world.ciToken({ aud: audience, ...claims }),
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    }).toString(),
  })
  assert.equal(response.statusCode, 200, response.body)
  return response.json().access_token
}

function impersonate(world: GoogleStsWorld, email: string, bearer: string) {
  return world.app.inject({
    method: 'POST',
    url: `/v1/projects/-/serviceAccounts/${email}:generateAccessToken`,
    headers: { authorization: `Bearer ${bearer}` },
    payload: { scope: [cloudPlatform] },
  })
}

async function auditCodes(world: GoogleStsWorld, correlationId: unknown) {
  const page = await world.stores.audit.query({ correlationId: correlationId as string })
  return page.records.map((r) => [r.decision, r.code, r.policy])
}

describe('generateAccessToken honours the account members', () => {
  test('a pool the account does not bind cannot impersonate it: 403, audited', async (t) => {
    const world = await createGoogleStsWorld({ sandbox: true })
    t.after(() => world.close())
    // The sandbox pool has no attribute condition: any CI token of the issuer gets through STS.
    const token = await federated(
      world,
      { sub: 'repo:evil/fork', repository: 'evil/fork' },
      sandboxProviderName,
    )
    assert.equal(decodeJwt(token, 16384).claims.client_id, 'gcp:sandbox-pool:anyone')
    for (const email of [serviceAccount, poolAccount]) {
      const response = await impersonate(world, email, token)
      assert.equal(response.statusCode, 403)
      assert.deepEqual(response.json(), {
        error: { code: 403, message: permissionDenied, status: 'PERMISSION_DENIED' },
      })
      assert.equal(response.headers['tessera-error-code'], 'claim_mismatch')
      assert.deepEqual(await auditCodes(world, response.headers['x-correlation-id']), [
        ['deny', 'claim_mismatch', `gcp:sa:${email}`],
      ])
    }
  })

  test('a principal binds one subject; a principalSet every identity of the pool', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const bound = await federated(world, {})
    const other = await federated(world, { sub: 'repo:acme/app:ref:refs/heads/feature' })
    const allowed = await impersonate(world, serviceAccount, bound)
    assert.equal(allowed.statusCode, 200, allowed.body)
    assert.equal(decodeJwt(allowed.json().accessToken, 16384).claims.aud, storage)

    const refused = await impersonate(world, serviceAccount, other)
    assert.equal(refused.statusCode, 403)
    assert.equal(refused.json().error.message, permissionDenied)
    assert.equal(refused.headers['tessera-error-code'], 'condition_failed')
    assert.deepEqual(await auditCodes(world, refused.headers['x-correlation-id']), [
      ['deny', 'condition_failed', `gcp:sa:${serviceAccount}`],
    ])

    const set = await impersonate(world, poolAccount, other)
    assert.equal(set.statusCode, 200, set.body)
    assert.equal(decodeJwt(set.json().accessToken, 16384).claims.client_id, `gcp:sa:${poolAccount}`)
  })

  test('the implied policies are not reachable through the generic /oauth2/token', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const bound = await federated(world, {})
    // The STS token gcp:sa:<email> would accept, and the CI token gcp:ci-pool:github would.
    for (const [subjectToken, audience] of [
      [bound, storage],
      [world.ciToken({}), federatedAudience],
    ] as const) {
      const response = await world.app.inject({
        method: 'POST',
        url: '/oauth2/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: subjectToken,
          subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
          audience,
        }).toString(),
      })
      assert.equal(response.statusCode, 400, response.body)
      assert.equal(response.headers['tessera-error-code'], 'no_matching_policy')
      assert.deepEqual(await auditCodes(world, response.headers['x-correlation-id']), [
        ['deny', 'no_matching_policy', undefined],
      ])
    }
  })
})
