import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createVerifier } from '@tessera/verify'
import {
  createServerWorld,
  payments,
  publicUrl,
  type ServerWorld,
  trustDomain,
} from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
})
after(() => world.close())

const mint = (payload: unknown, headers: Record<string, string> = {}) =>
  world.app.inject({
    method: 'POST',
    url: '/v1/identity/token',
    payload: payload as object,
    headers,
  })

describe('POST /v1/identity/token', () => {
  it('turns a join token into an identity token for its SPIFFE ID', async () => {
    const spiffeId = `spiffe://${trustDomain}/demo`
    const joinToken = await world.joinToken(spiffeId)
    const response = await mint({ joinToken, audience: publicUrl, ttlSeconds: 120 })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json() as { token: string; expires_in: number; sub: string }
    assert.deepEqual(Object.keys(body).sort(), ['expires_in', 'sub', 'token'])
    assert.equal(body.sub, spiffeId)
    assert.equal(body.expires_in, 120)
    const verifier = createVerifier({
      issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
      audience: publicUrl,
      typ: 'JWT',
      clock: world.now,
    })
    assert.equal((await verifier.verify(body.token)).claims.sub, spiffeId)
  })

  it('refuses a join token the second time with join_token_invalid, in the token error format', async () => {
    const joinToken = await world.joinToken(`spiffe://${trustDomain}/once`)
    assert.equal((await mint({ joinToken, audience: publicUrl })).statusCode, 200)
    const again = await mint({ joinToken, audience: publicUrl }, { 'x-request-id': 'again-1' })
    // RFC 6749 §5.2: token endpoint errors are 400 except invalid_client.
    assert.equal(again.statusCode, 400)
    const body = again.json() as Record<string, unknown>
    assert.equal(body.code, 'join_token_invalid')
    assert.equal(body.error, 'invalid_grant')
    assert.equal(body.correlation_id, 'again-1')
    assert.ok(!JSON.stringify(body).includes(joinToken))
    const audit = await world.stores.audit.query({ correlationId: 'again-1' })
    assert.equal(audit.records[0]?.decision, 'deny')
  })

  it('accepts an identity token for an inventory audience', async () => {
    const joinToken = await world.joinToken(`spiffe://${trustDomain}/api-client`)
    const response = await mint({ joinToken, audience: payments })
    assert.equal(response.statusCode, 200)
  })

  it('refuses a body that is not a valid request with invalid_request', async () => {
    const response = await mint({ joinToken: 'tjt_x', audience: publicUrl, ttl: 60 })
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.code, 'invalid_request')
    assert.equal(
      body.error_description,
      "unknown field 'ttl': expected joinToken, token, audience, ttlSeconds",
    )
  })

  it('refuses malformed JSON with 400 invalid_request and a form with 415', async () => {
    const broken = await world.app.inject({
      method: 'POST',
      url: '/v1/identity/token',
      headers: { 'content-type': 'application/json' },
      payload: '{"joinToken": ',
    })
    assert.equal(broken.statusCode, 400)
    assert.equal((broken.json() as { code: string }).code, 'invalid_request')
    const form = await world.app.inject({
      method: 'POST',
      url: '/v1/identity/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'joinToken=x&audience=y',
    })
    assert.equal(form.statusCode, 415)
    assert.equal((form.json() as { code: string }).code, 'invalid_request')
  })

  it('refuses an upstream token no identity policy allows, explaining the code', async () => {
    const token = world.ciToken({ sub: 'repo:acme/payments:main' })
    const response = await mint({ token, audience: publicUrl })
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.code, 'no_matching_policy')
    assert.equal(body.error, 'invalid_grant')
  })
})
