import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createVerifier, decodeJwt } from '@tessera/verify'
import {
  createServerWorld,
  jwtType,
  payments,
  publicUrl,
  type ServerWorld,
  tokenExchange,
} from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
})
after(() => world.close())

const form = (fields: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/oauth2/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
})

const exchange = (subjectToken: string, extra: Record<string, string> = {}) =>
  form({
    grant_type: tokenExchange,
    subject_token: subjectToken,
    subject_token_type: jwtType,
    audience: payments,
    ...extra,
  })

async function auditCount(): Promise<number> {
  return (await world.stores.audit.query({ limit: 500 })).records.length
}

describe('POST /oauth2/token', () => {
  it('exchanges a trusted CI token for an RFC 9068 access token, never cached', async () => {
    const subject = world.ciToken({ sub: 'repo:acme/payments:main' })
    const response = await world.app.inject(exchange(subject, { scope: 'payments.read' }))
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.equal(response.headers.pragma, 'no-cache')
    assert.match(String(response.headers['content-type']), /^application\/json/)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token')
    assert.equal(body.scope, 'payments.read')
    assert.equal(typeof body.expires_in, 'number')
    const verifier = createVerifier({
      issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
      audience: payments,
      typ: 'at+jwt',
      clock: world.now,
    })
    const verified = await verifier.verify(body.access_token as string)
    assert.equal(verified.claims.sub, 'repo:acme/payments:main')
    assert.equal(verified.claims.client_id, 'ci-deploy')
  })

  it('accepts a form content type with a charset parameter, as openid-client sends it', async () => {
    const subject = world.ciToken({ sub: 'repo:acme/payments:main' })
    const request = exchange(subject)
    const response = await world.app.inject({
      ...request,
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    })
    assert.equal(response.statusCode, 200)
  })

  it('refuses an unknown grant type with unsupported_grant_type', async () => {
    const response = await world.app.inject(form({ grant_type: 'password' }))
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.error, 'unsupported_grant_type')
    assert.equal(body.code, 'unsupported_grant_type')
    assert.equal(body.correlation_id, response.headers['x-correlation-id'])
  })

  it('refuses a malformed form with invalid_request, before the engine sees it', async () => {
    const before = await auditCount()
    const response = await world.app.inject({
      ...form({}),
      payload: `grant_type=${encodeURIComponent(tokenExchange)}&subject_token=%zz`,
    })
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.error, 'invalid_request')
    assert.equal(body.code, 'invalid_request')
    assert.equal(
      body.error_description,
      'form body has a malformed percent-escape: expected % followed by two hex digits',
    )
    assert.equal(await auditCount(), before)
  })

  it('refuses JSON with 415 and a missing body with 400, in the RFC 6749 error format', async () => {
    const json = await world.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      payload: { grant_type: tokenExchange },
    })
    assert.equal(json.statusCode, 415)
    assert.equal((json.json() as { error: string }).error, 'invalid_request')
    const empty = await world.app.inject({ method: 'POST', url: '/oauth2/token' })
    assert.equal(empty.statusCode, 400)
    assert.equal((empty.json() as { code: string }).code, 'invalid_request')
    const text = await world.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'text/plain' },
      payload: 'grant_type=x',
    })
    assert.equal(text.statusCode, 415)
    assert.equal((text.json() as { error: string }).error, 'invalid_request')
  })

  it('answers a body over the limit with 413 too_large and audits nothing', async () => {
    const before = await auditCount()
    const response = await world.app.inject(
      exchange(world.ciToken({ sub: 'repo:acme/payments:main', pad: 'x'.repeat(70_000) })),
    )
    assert.equal(response.statusCode, 413)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.code, 'too_large')
    assert.equal(body.correlation_id, response.headers['x-correlation-id'])
    assert.equal(await auditCount(), before)
  })

  it('refuses a 1 MB token with 413 from the body limit', async () => {
    const response = await world.app.inject(exchange('a'.repeat(1024 * 1024)))
    assert.equal(response.statusCode, 413)
    assert.equal((response.json() as { code: string }).code, 'too_large')
  })

  it('refuses a 1 MB token under a larger body limit with 400 from the token cap', async (t) => {
    const roomy = await createServerWorld({ bodyLimitBytes: 2 * 1024 * 1024 })
    t.after(() => roomy.close())
    const response = await roomy.app.inject(exchange('a'.repeat(1024 * 1024)))
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.code, 'too_large')
    assert.equal(body.error, 'invalid_request')
  })

  it('explains a rejected subject token and audits the denial under the correlation id', async () => {
    const subject = world.ciToken({ sub: 'repo:acme/payments:main', aud: `${publicUrl}/` })
    const response = await world.app.inject({
      ...exchange(subject),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-request-id': 'deny-1',
      },
    })
    assert.equal(response.statusCode, 400)
    const body = response.json() as Record<string, unknown>
    assert.equal(body.code, 'audience_mismatch')
    assert.equal(body.hint, 'trailing_slash')
    assert.equal(body.correlation_id, 'deny-1')
    assert.equal(response.headers['x-correlation-id'], 'deny-1')
    const page = await world.stores.audit.query({ correlationId: 'deny-1' })
    assert.equal(page.records.length, 1)
    assert.equal(page.records[0]?.decision, 'deny')
    assert.equal(page.records[0]?.code, 'audience_mismatch')
    assert.ok(!JSON.stringify(page.records[0]).includes(subject))
  })

  it('never writes the subject token to the log', async () => {
    const subject = world.ciToken({ sub: 'repo:other/x:main' })
    await world.app.inject(exchange(subject))
    const text = JSON.stringify(world.logs)
    assert.ok(!text.includes(subject))
    assert.ok(!text.includes(subject.split('.')[2] as string))
  })

  it('issues a token whose subject claims came from the CI token, decodable by any JWT library', async () => {
    const subject = world.ciToken({ sub: 'repo:acme/payments:feature' })
    const response = await world.app.inject(exchange(subject))
    const token = (response.json() as { access_token: string }).access_token
    assert.equal(decodeJwt(token, 16 * 1024).header.typ, 'at+jwt')
  })
})
