import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { createClient } from 'redis'
import { TesseraError } from '../explain/tessera-error.ts'
import { createRedisReplayStore, type RedisSetClient } from './redis-replay-store.ts'

// A real Redis on loopback; every run writes under its own prefix and removes nothing else.
const client = createClient({ url: 'redis://127.0.0.1:6379' })
const runPrefix = `tessera:test:${randomUUID()}:`
// The store's clock only decides "already expired"; Redis expires keys on its own clock.
const now = Math.floor(Date.now() / 1000)
const clock = () => now

before(async () => {
  await client.connect()
})

after(async () => {
  const keys = await client.keys(`${runPrefix}*`)
  if (keys.length > 0) await client.del(keys)
  await client.quit()
})

describe('createRedisReplayStore', () => {
  it('accepts an identifier once, then refuses it until it expires', async () => {
    const store = createRedisReplayStore({ client, prefix: `${runPrefix}a:`, clock })
    assert.equal(await store.use('jti-1', now + 600), true)
    assert.equal(await store.use('jti-1', now + 600), false)
    assert.equal(await store.use('jti-2', now + 600), true)
  })

  it('writes SET prefix+key 1 NX PXAT expiresAt*1000', async () => {
    const prefix = `${runPrefix}b:`
    const store = createRedisReplayStore({ client, prefix, clock })
    assert.equal(await store.use('k', now + 321), true)
    assert.equal(await client.get(`${prefix}k`), '1')
    assert.equal(await client.pExpireTime(`${prefix}k`), (now + 321) * 1000)
  })

  it('accepts an identifier that has already expired without writing it', async () => {
    const prefix = `${runPrefix}c:`
    const store = createRedisReplayStore({ client, prefix, clock })
    assert.equal(await store.use('old', now - 1), true)
    assert.equal(await store.use('old', now), true)
    assert.equal(await client.exists(`${prefix}old`), 0)
  })

  it('lets exactly one of many concurrent uses win', async () => {
    const store = createRedisReplayStore({ client, prefix: `${runPrefix}d:`, clock })
    const results = await Promise.all(Array.from({ length: 20 }, () => store.use('race', now + 60)))
    assert.equal(results.filter((r) => r).length, 1)
  })

  it('is shared by stores with the same prefix and separated by different prefixes', async () => {
    const first = createRedisReplayStore({ client, prefix: `${runPrefix}e:`, clock })
    const second = createRedisReplayStore({ client, prefix: `${runPrefix}e:`, clock })
    const other = createRedisReplayStore({ client, prefix: `${runPrefix}f:`, clock })
    assert.equal(await first.use('shared', now + 60), true)
    assert.equal(await second.use('shared', now + 60), false)
    assert.equal(await other.use('shared', now + 60), true)
  })

  it('uses tessera:replay: as the default prefix', async () => {
    const key = `${runPrefix}default`
    const store = createRedisReplayStore({ client, clock })
    assert.equal(await store.use(key, now + 60), true)
    assert.equal(await client.get(`tessera:replay:${key}`), '1')
    await client.del(`tessera:replay:${key}`)
  })

  it('fails closed with internal_error when Redis cannot be reached', async () => {
    const closed = createClient({ url: 'redis://127.0.0.1:6379' })
    await closed.connect()
    await closed.quit()
    const store = createRedisReplayStore({ client: closed, prefix: `${runPrefix}g:`, clock })
    await assert.rejects(
      async () => store.use('x', now + 60),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'internal_error')
        assert.equal(error.check, 'replay')
        assert.doesNotMatch(error.message, /tessera:test/)
        return true
      },
    )
  })

  it('refuses invalid options, listing every problem', () => {
    const invalid = (options: unknown, paths: string[]) =>
      assert.throws(
        () => createRedisReplayStore(options as { client: RedisSetClient }),
        (error: unknown) => {
          assert.ok(error instanceof TesseraError)
          assert.equal(error.code, 'invalid_options')
          assert.deepEqual(
            error.problems?.map((p) => p.path),
            paths,
          )
          return true
        },
      )
    invalid(undefined, [''])
    invalid({}, ['client'])
    invalid({ client: { set: 'no' }, prefix: 1, clock: 'now' }, ['client', 'prefix', 'clock'])
    invalid({ client, prefix: 7 }, ['prefix'])
  })
})
