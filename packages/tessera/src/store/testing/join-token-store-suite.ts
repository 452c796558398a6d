import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import type { JoinTokenStore, StoredJoinToken } from '../../issuer/index.ts'
import { isTesseraErrorLike, openForTest, type StoreFactory } from './store-under-test.ts'

/** A join token record for `secret`, valid for `ttlSeconds` from `now`. */
export function sampleJoinToken(secret: string, now: number, ttlSeconds = 600): StoredJoinToken {
  return {
    tokenHash: createHash('sha256').update(secret).digest('hex'),
    spiffeId: `spiffe://example.org/workload/${secret}`,
    expiresAt: now + ttlSeconds,
    createdAt: now,
  }
}

/**
 * The `JoinTokenStore` contract (issuer): a token is consumed at most once, also
 * under concurrent redemption, and never at or after its expiry second.
 */
export function runJoinTokenStoreSuite(name: string, factory: StoreFactory<JoinTokenStore>): void {
  describe(`${name}: JoinTokenStore contract`, () => {
    it('returns a created token on its first consumption and nothing afterwards', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('a', clock.now())
      await store.create(token)
      assert.deepEqual(await store.consume(token.tokenHash, clock.now()), token)
      assert.equal(await store.consume(token.tokenHash, clock.now()), undefined)
    })

    it('returns nothing for a hash it never stored', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      assert.equal(await store.consume(sampleJoinToken('x', 0).tokenHash, clock.now()), undefined)
    })

    it('gives a token to exactly one of 100 concurrent consumers', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('race', clock.now())
      await store.create(token)
      const results = await Promise.all(
        Array.from({ length: 100 }, () => store.consume(token.tokenHash, clock.now())),
      )
      assert.deepEqual(
        results.filter((result) => result !== undefined),
        [token],
      )
    })

    it('accepts a token one second before its expiry', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('a', clock.now(), 60)
      await store.create(token)
      clock.set(token.expiresAt - 1)
      assert.deepEqual(await store.consume(token.tokenHash, clock.now()), token)
    })

    it('refuses a token at its expiry second, and for good', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('a', clock.now(), 60)
      await store.create(token)
      clock.set(token.expiresAt)
      assert.equal(await store.consume(token.tokenHash, clock.now()), undefined)
      // A clock stepping back must not revive a token that was already refused as expired.
      assert.equal(await store.consume(token.tokenHash, token.expiresAt - 1), undefined)
    })

    it('judges expiry by the time passed to consume', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('a', clock.now(), 60)
      await store.create(token)
      assert.equal(await store.consume(token.tokenHash, token.expiresAt + 1), undefined)
    })

    it('keeps tokens apart: consuming one leaves the others', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const a = sampleJoinToken('a', clock.now())
      const b = sampleJoinToken('b', clock.now())
      await store.create(a)
      await store.create(b)
      assert.deepEqual(await store.consume(a.tokenHash, clock.now()), a)
      assert.deepEqual(await store.consume(b.tokenHash, clock.now()), b)
    })

    it('refuses a second token with the same hash with internal_error', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const token = sampleJoinToken('a', clock.now())
      await store.create(token)
      await assert.rejects(
        store.create({ ...token, spiffeId: 'spiffe://example.org/other' }),
        isTesseraErrorLike({
          code: 'internal_error',
          check: 'internal',
          message: 'a join token with the same hash already exists: refusing to store it twice',
        }),
      )
      // The first token is untouched.
      assert.deepEqual(await store.consume(token.tokenHash, clock.now()), token)
    })

    it('keeps a token that outlives the creation of later ones', async (t) => {
      const { store, clock } = await openForTest(t, factory)
      const long = sampleJoinToken('long', clock.now(), 3600)
      const short = sampleJoinToken('short', clock.now(), 10)
      await store.create(long)
      await store.create(short)
      clock.advance(10)
      // Creating a token sweeps expired ones; the unexpired one must survive the sweep.
      await store.create(sampleJoinToken('later', clock.now()))
      assert.equal(await store.consume(short.tokenHash, clock.now()), undefined)
      assert.deepEqual(await store.consume(long.tokenHash, clock.now()), long)
    })
  })
}
