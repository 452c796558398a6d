import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ReplayStore } from '@tessera/verify'
import { openForTest, type StoreFactory } from './store-under-test.ts'

/**
 * The `ReplayStore` contract (@tessera/verify): a key is accepted once until its expiry
 * second, then may be recorded again; `use` is atomic across concurrent callers.
 */
export function runReplayStoreSuite(name: string, factory: StoreFactory<ReplayStore>): void {
  describe(`${name}: ReplayStore contract`, () => {
    it('accepts a key once and refuses it again', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      assert.equal(await store.use('iss\u0000a', clock.now() + 300), true)
      assert.equal(await store.use('iss\u0000a', clock.now() + 300), false)
    })

    it('keeps different keys apart, also after a NUL separator', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      // checkReplay's keys are `${iss}\u0000${jti}`: a store that cut text at NUL would
      // refuse every second token of an issuer.
      for (const key of ['a', 'b', 'A', 'iss\u0000a', 'iss\u0000b', 'iss']) {
        assert.equal(await store.use(key, clock.now() + 300), true, JSON.stringify(key))
      }
    })

    it('accepts exactly one of 100 concurrent uses of one key', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store.use('race', clock.now() + 300)),
      )
      assert.equal(results.filter((fresh) => fresh).length, 1)
    })

    it('still refuses a key one second before its expiry', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const until = clock.now() + 300
      assert.equal(await store.use('a', until), true)
      clock.set(until - 1)
      assert.equal(await store.use('a', until), false)
    })

    it('accepts a key again at its expiry second and then holds it to the new expiry', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const until = clock.now() + 300
      assert.equal(await store.use('a', until), true)
      clock.set(until)
      assert.equal(await store.use('a', until + 300), true)
      assert.equal(await store.use('a', until + 300), false)
      clock.set(until + 299)
      assert.equal(await store.use('a', until + 300), false)
      clock.set(until + 300)
      assert.equal(await store.use('a', until + 600), true)
    })

    it('keeps unexpired keys while expired ones are swept', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      assert.equal(await store.use('short', clock.now() + 10), true)
      assert.equal(await store.use('long', clock.now() + 3600), true)
      // Past any sweep interval: the next use may sweep, but must not forget 'long'.
      clock.advance(600)
      assert.equal(await store.use('other', clock.now() + 10), true)
      assert.equal(await store.use('long', clock.now() + 3600), false)
      assert.equal(await store.use('short', clock.now() + 10), true)
    })

    it('accepts any key text: empty, separators, long and non-ASCII', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      for (const key of ['', '\u0000', 'é✓', 'k'.repeat(2048), "'; DROP TABLE replay; --"]) {
        assert.equal(
          await store.use(key, clock.now() + 300),
          true,
          JSON.stringify(key.slice(0, 20)),
        )
        assert.equal(await store.use(key, clock.now() + 300), false)
      }
    })
  })
}
