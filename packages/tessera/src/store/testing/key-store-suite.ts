import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { KeyStore, StoredSigningKey } from '../../issuer/index.ts'
import { openForTest, type StoreFactory } from './store-under-test.ts'

/** A signing key record as the key manager writes it (the sealed key is opaque here). */
export function sampleSigningKey(
  kid: string,
  createdAt: number,
  fields: Partial<StoredSigningKey> = {},
): StoredSigningKey {
  return {
    kid,
    algorithm: 'ES256',
    publicJwk: {
      kty: 'EC',
      crv: 'P-256',
      x: `x-${kid}`,
      y: `y-${kid}`,
      kid,
      alg: 'ES256',
      use: 'sig',
    },
    sealedPrivateKey: `sealed-${kid}`,
    state: 'pending',
    createdAt,
    activatesAt: createdAt + 3600,
    ...fields,
  }
}

/**
 * The `KeyStore` contract (issuer): whole-record upserts, deletes, and a list that
 * returns exactly what was put — absent optional fields stay absent — oldest key first.
 */
export function runKeyStoreSuite(name: string, factory: StoreFactory<KeyStore>): void {
  describe(`${name}: KeyStore contract`, () => {
    it('lists nothing when empty', async (t) => {
      const { store } = await openForTest(t, factory)
      assert.deepEqual(await store.list(), [])
    })

    it('returns a key exactly as it was put, optional fields absent or present', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const fresh = sampleSigningKey('k1', clock.now())
      const retired = sampleSigningKey('k2', clock.now() + 1, {
        state: 'retired',
        retiredAt: clock.now() + 10,
        publishedUntil: clock.now() + 1000,
      })
      await store.put(fresh)
      await store.put(retired)
      const listed = await store.list()
      assert.deepEqual(listed, [fresh, retired])
      assert.equal(Object.hasOwn(listed[0] as object, 'retiredAt'), false)
      assert.equal(Object.hasOwn(listed[0] as object, 'publishedUntil'), false)
    })

    it('replaces the whole record when a kid is put again (a lifecycle step)', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const pending = sampleSigningKey('k1', clock.now())
      await store.put(pending)
      const active = { ...pending, state: 'active' as const }
      await store.put(active)
      const retired = { ...active, state: 'retired' as const, retiredAt: clock.now() + 5 }
      await store.put(retired)
      assert.deepEqual(await store.list(), [retired])
    })

    it('lists the oldest key first, then by kid', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const t0 = clock.now()
      const keys = [
        sampleSigningKey('c', t0 + 2),
        sampleSigningKey('b', t0),
        sampleSigningKey('a', t0 + 1),
        sampleSigningKey('a0', t0),
      ]
      for (const key of keys) await store.put(key)
      assert.deepEqual(
        (await store.list()).map((key) => key.kid),
        ['a0', 'b', 'a', 'c'],
      )
    })

    it('deletes a key and ignores a kid it does not hold', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      await store.put(sampleSigningKey('k1', clock.now()))
      await store.put(sampleSigningKey('k2', clock.now()))
      await store.delete('k1')
      await store.delete('unknown')
      assert.deepEqual(
        (await store.list()).map((key) => key.kid),
        ['k2'],
      )
    })

    it('keeps stored records apart from the objects passed in and handed out', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const key = sampleSigningKey('k1', clock.now())
      const mutable = structuredClone(key) as { state: string; publicJwk: Record<string, unknown> }
      await store.put(mutable as unknown as StoredSigningKey)
      mutable.state = 'revoked'
      mutable.publicJwk.x = 'changed'
      const [first] = (await store.list()) as unknown as (typeof mutable)[]
      assert.ok(first)
      first.publicJwk.x = 'changed again'
      assert.deepEqual(await store.list(), [key])
    })

    it('stores every key of concurrent puts', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const kids = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`)
      await Promise.all(kids.map((kid) => store.put(sampleSigningKey(kid, clock.now()))))
      assert.deepEqual(
        (await store.list()).map((key) => key.kid),
        kids,
      )
    })
  })
}
