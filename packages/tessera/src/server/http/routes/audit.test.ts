import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { codes } from '@tessera/verify'
import {
  createServerWorld,
  jwtType,
  payments,
  type ServerWorld,
  tokenExchange,
} from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
  // Two exchanges: one allowed, one denied.
  for (const [id, sub] of [
    ['allow-1', 'repo:acme/payments:main'],
    ['deny-1', 'repo:evil/x:main'],
  ] as const) {
    await world.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': id },
      payload: new URLSearchParams({
        grant_type: tokenExchange,
        subject_token: world.ciToken({ sub }),
        subject_token_type: jwtType,
        audience: payments,
      }).toString(),
    })
  }
})
after(() => world.close())

describe('GET /v1/audit', () => {
  it('lists the records newest first, never cached', async () => {
    const response = await world.app.inject({ url: '/v1/audit' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const page = response.json() as { records: { correlationId: string; decision: string }[] }
    assert.deepEqual(
      page.records.map((r) => [r.correlationId, r.decision]),
      [
        ['deny-1', 'deny'],
        ['allow-1', 'allow'],
      ],
    )
  })

  it('filters by decision and pages with limit and the next cursor', async () => {
    const denied = await world.app.inject({ url: '/v1/audit?decision=deny' })
    const records = (denied.json() as { records: { correlationId: string }[] }).records
    assert.deepEqual(
      records.map((r) => r.correlationId),
      ['deny-1'],
    )
    const first = (await world.app.inject({ url: '/v1/audit?limit=1' })).json() as {
      records: { correlationId: string }[]
      next: string
    }
    assert.equal(first.records[0]?.correlationId, 'deny-1')
    const second = (
      await world.app.inject({ url: `/v1/audit?limit=1&before=${encodeURIComponent(first.next)}` })
    ).json() as { records: { correlationId: string }[] }
    assert.equal(second.records[0]?.correlationId, 'allow-1')
  })

  it('refuses bad filters with invalid_request and the details', async () => {
    const unknown = await world.app.inject({ url: '/v1/audit?decisoin=deny' })
    assert.equal(unknown.statusCode, 400)
    const body = unknown.json() as Record<string, unknown>
    assert.equal(body.code, 'invalid_request')
    assert.match(String(body.message), /^unknown parameter "decisoin"/)
    assert.equal(body.correlationId, unknown.headers['x-correlation-id'])
    const limit = await world.app.inject({ url: '/v1/audit?limit=0' })
    assert.equal(limit.statusCode, 400)
    assert.equal((limit.json() as { code: string }).code, 'invalid_request')
  })

  it('refuses a caller that is not on loopback with 403 policy_denied', async () => {
    const response = await world.app.inject({ url: '/v1/audit', remoteAddress: '10.1.2.3' })
    assert.equal(response.statusCode, 403)
    assert.deepEqual(response.json(), {
      code: 'policy_denied',
      check: 'audit_access',
      message: codes.policy_denied.summary,
      correlationId: response.headers['x-correlation-id'],
    })
  })

  it('does not trust X-Forwarded-For', async () => {
    const response = await world.app.inject({
      url: '/v1/audit',
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    })
    assert.equal(response.statusCode, 403)
  })
})
