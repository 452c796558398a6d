import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createServerWorld, type ServerWorld } from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
})
after(() => world.close())

describe('health probes', () => {
  it('/healthz answers 200 whenever the process serves', async () => {
    world.setReady(false)
    const response = await world.app.inject({ url: '/healthz' })
    world.setReady(true)
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { status: 'ok' })
  })

  it('/readyz answers 200 when serving, with a key and a store that answers', async () => {
    const response = await world.app.inject({ url: '/readyz' })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { status: 'ready' })
  })

  it('/readyz answers 503 with every reason', async (t) => {
    world.setReady(false)
    const query = world.stores.audit.query
    t.after(() => {
      world.setReady(true)
      world.stores.audit.query = query
    })
    world.stores.audit.query = async () => {
      throw new Error('disk gone')
    }
    const response = await world.app.inject({ url: '/readyz' })
    assert.equal(response.statusCode, 503)
    assert.deepEqual(response.json(), {
      status: 'not_ready',
      reasons: ['server is starting or closing', 'store does not answer'],
    })
  })

  it('/readyz reports a missing signing key', async (t) => {
    const keyless = await createServerWorld({ ensureKeys: false })
    t.after(() => keyless.close())
    const response = await keyless.app.inject({ url: '/readyz' })
    assert.equal(response.statusCode, 503)
    assert.deepEqual((response.json() as { reasons: string[] }).reasons, [
      'no active signing key is loaded',
    ])
  })
})
