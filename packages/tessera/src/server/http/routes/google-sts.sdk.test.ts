// google-auth-library 10.9.1, unpatched, with an `external_account` credential configuration
// pointed at Tessera on loopback (sdk-wire-facts.md §2). GOOGLE_CLOUD_PROJECT is set so the
// library never probes the metadata server or the resource-manager API; the loopback guard
// fails the test on any other connection.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { decodeJwt } from '@tessera/verify'
import { GoogleAuth } from 'google-auth-library'
import {
  cloudPlatform,
  createGoogleStsWorld,
  type GoogleStsWorld,
  providerName,
  serviceAccount,
  storage,
} from '../testing/google-sts-world.ts'

process.env.GOOGLE_CLOUD_PROJECT = 'acme-prod'

describe('google-auth-library external_account against Tessera', () => {
  let world: GoogleStsWorld
  let base: string
  let dir: string
  before(async () => {
    // The world's clock starts at the wall clock, not a fixed date: google-auth-library judges
    // the expiry (expires_in, expireTime) Tessera returns on the real clock.
    world = await createGoogleStsWorld({ startAt: Math.floor(Date.now() / 1000) })
    base = await world.app.listen({ host: '127.0.0.1', port: 0 })
    dir = mkdtempSync(join(tmpdir(), 'tessera-gcp-'))
  })
  after(async () => {
    await world.close()
    rmSync(dir, { recursive: true, force: true })
  })

  function credentials(token: string, audience = providerName) {
    const file = join(dir, `token-${Math.random().toString(36).slice(2)}`)
    // Written as a CI system writes it, newline included: the library sends it untrimmed.
    writeFileSync(file, `${token}\n`)
    return {
      type: 'external_account',
      audience,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${base}/v1/token`,
      service_account_impersonation_url: `${base}/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
      credential_source: { file },
    }
  }

  test('getAccessToken() exchanges the CI token and impersonates the account', async () => {
    const auth = new GoogleAuth({
      credentials: credentials(world.ciToken({})),
      scopes: [cloudPlatform],
    })
    const token = await auth.getAccessToken()
    assert.equal(typeof token, 'string')
    const claims = decodeJwt(token as string, 16384).claims
    assert.equal(claims.iss, 'https://tessera.test')
    assert.equal(claims.aud, storage)
    assert.equal(claims.client_id, `gcp:sa:${serviceAccount}`)
    assert.equal(await auth.getProjectId(), 'acme-prod')
    const records = await world.stores.audit.query({ decision: 'allow' })
    assert.deepEqual(
      records.records.map((r) => r.dialect),
      ['google-iam-credentials', 'google-sts'],
    )
  })

  test("a wrong audience surfaces as Google's invalid_target", async () => {
    const auth = new GoogleAuth({
      credentials: credentials(world.ciToken({}), providerName.replace('github', 'gitlab')),
      scopes: [cloudPlatform],
    })
    await assert.rejects(auth.getAccessToken(), (error: Error & { status?: number }) => {
      assert.equal(
        error.message,
        'Error code invalid_target: The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
      )
      assert.equal(error.status, 400)
      return true
    })
  })

  test('a failed attribute condition surfaces as unauthorized_client', async () => {
    const auth = new GoogleAuth({
      credentials: credentials(world.ciToken({ repository: 'acme/other' })),
      scopes: [cloudPlatform],
    })
    await assert.rejects(auth.getAccessToken(), {
      message:
        'Error code unauthorized_client: The given credential is rejected by the attribute condition.',
    })
  })

  test('a scope the account may not grant surfaces from generateAccessToken', async () => {
    const auth = new GoogleAuth({
      credentials: credentials(world.ciToken({})),
      scopes: ['https://www.googleapis.com/auth/devstorage.full_control'],
    })
    await assert.rejects(auth.getAccessToken(), (error: Error & { status?: number }) => {
      assert.equal(error.status, 400)
      assert.match(error.message, /is not allowed/)
      return true
    })
  })
})
