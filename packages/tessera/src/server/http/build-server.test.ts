import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { codes } from '@tessera/verify'
import { maxHeaderBytes } from './build-server.ts'
import {
  createServerWorld,
  jwtType,
  payments,
  publicUrl,
  type ServerWorld,
  tokenExchange,
} from './testing/server-world.ts'

// These tests listen on loopback and use real fetch: what a client sees on the wire.
let world: ServerWorld
let base: string
before(async () => {
  world = await createServerWorld()
  await world.app.listen({ host: '127.0.0.1', port: 0 })
  base = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`
})
after(() => world.close())

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('buildServer over HTTP', () => {
  it('serves discovery and exchanges a token over a real connection', async () => {
    const discovery = await fetch(`${base}/.well-known/openid-configuration`)
    assert.equal(((await discovery.json()) as { issuer: string }).issuer, publicUrl)
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body: new URLSearchParams({
        grant_type: tokenExchange,
        subject_token: world.ciToken({ sub: 'repo:acme/payments:main' }),
        subject_token_type: jwtType,
        audience: payments,
      }),
    })
    assert.equal(response.status, 200)
    assert.equal(((await response.json()) as { token_type: string }).token_type, 'Bearer')
  })

  it('echoes a safe x-request-id as x-correlation-id and in the error body', async () => {
    const response = await fetch(`${base}/v1/audit?limit=0`, {
      headers: { 'x-request-id': 'round-trip.42' },
    })
    assert.equal(response.headers.get('x-correlation-id'), 'round-trip.42')
    assert.equal(
      ((await response.json()) as { correlationId: string }).correlationId,
      'round-trip.42',
    )
  })

  it('replaces an unsafe x-request-id with a UUID', async () => {
    const response = await fetch(`${base}/healthz`, {
      headers: { 'x-request-id': 'x'.repeat(65) },
    })
    assert.match(response.headers.get('x-correlation-id') ?? '', uuid)
    await response.body?.cancel()
  })

  it('answers an unknown endpoint with 404 and a coded JSON body', async () => {
    const response = await fetch(`${base}/nope?token=x`, { headers: { 'x-request-id': 'nf-1' } })
    assert.equal(response.status, 404)
    assert.deepEqual(await response.json(), {
      code: 'invalid_request',
      check: 'route',
      message: 'no endpoint GET "/nope"',
      correlationId: 'nf-1',
    })
  })

  it('answers an unexpected failure opaquely and logs it in full under the correlation id', async (t) => {
    const query = world.stores.audit.query
    t.after(() => {
      world.stores.audit.query = query
    })
    world.stores.audit.query = async () => {
      throw new RangeError('sqlite said something internal')
    }
    const response = await fetch(`${base}/v1/audit`, { headers: { 'x-request-id': 'boom-1' } })
    assert.equal(response.status, 500)
    const text = await response.text()
    assert.deepEqual(JSON.parse(text), {
      code: 'internal_error',
      message: codes.internal_error.summary,
      correlationId: 'boom-1',
    })
    assert.ok(!text.includes('sqlite'))
    const line = world.logs.find((l) => l.correlationId === 'boom-1' && l.msg === 'request failed')
    assert.ok(line !== undefined)
    assert.match(JSON.stringify(line.err), /sqlite said something internal/)
  })

  it('logs a refusal before the engine at warn, with its code under the correlation id', async () => {
    const response = await fetch(`${base}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'warn-1' },
      body: 'grant_type=password&username=a',
    })
    assert.equal(response.status, 400)
    await response.body?.cancel()
    const line = world.logs.find((l) => l.correlationId === 'warn-1' && l.msg === 'request refused')
    assert.deepEqual([line?.level, line?.code], [40, 'unsupported_grant_type'])
  })

  it('logs an audited refusal at info, and an internal_error at error with its message', async (t) => {
    const send = (id: string) =>
      fetch(`${base}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': id },
        body: new URLSearchParams({
          grant_type: tokenExchange,
          subject_token: 'not-a.jwt',
          subject_token_type: jwtType,
          audience: payments,
        }),
      })
    assert.equal((await send('info-1')).status, 400)
    const refused = world.logs.find(
      (l) => l.correlationId === 'info-1' && l.msg === 'request refused',
    )
    assert.deepEqual([refused?.level, refused?.code], [30, 'malformed'])

    const append = world.stores.audit.append
    t.after(() => {
      world.stores.audit.append = append
    })
    world.stores.audit.append = async () => {
      throw new Error('disk full')
    }
    const response = await send('error-1')
    assert.equal(response.status, 500)
    await response.body?.cancel()
    const failed = world.logs.find(
      (l) => l.correlationId === 'error-1' && l.msg === 'request failed',
    )
    assert.equal(failed?.level, 50)
    assert.equal(failed?.code, 'internal_error')
    assert.match(String(failed?.message), /audit record could not be written \(disk full\)/)
  })

  it('answers a body over the limit with 413 too_large before reading it', async () => {
    const response = await fetch(`${base}/v1/identity/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ joinToken: 'x'.repeat(70_000), audience: publicUrl }),
    })
    assert.equal(response.status, 413)
    assert.equal(((await response.json()) as { code: string }).code, 'too_large')
  })

  it('refuses a header section over the limit', async () => {
    const response = await fetch(`${base}/healthz`, {
      headers: { 'x-filler': 'x'.repeat(maxHeaderBytes + 1) },
    })
    assert.equal(response.status, 431)
    await response.body?.cancel()
  })
})
