import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryReplayStore } from '@tessera/verify'
import type { Stores } from '../stores.ts'
import { runAuditSinkSuite, sampleAuditRecord } from '../testing/audit-sink-suite.ts'
import { runJoinTokenStoreSuite, sampleJoinToken } from '../testing/join-token-store-suite.ts'
import { runKeyStoreSuite } from '../testing/key-store-suite.ts'
import { runReplayStoreSuite } from '../testing/replay-store-suite.ts'
import {
  createTestClock,
  isTesseraErrorLike,
  type StoreFactory,
} from '../testing/store-under-test.ts'
import { createMemoryStores } from './create-memory-stores.ts'
import { MemoryAuditSink } from './memory-audit-sink.ts'
import { MemoryJoinTokenStore } from './memory-join-token-store.ts'

/** A factory for one store out of a fresh `createMemoryStores`. */
function memory<K extends keyof Omit<Stores, 'close'>>(name: K): StoreFactory<Stores[K]> {
  return async () => {
    const clock = createTestClock()
    const stores = createMemoryStores(clock.now)
    return { store: stores[name], clock, close: () => stores.close() }
  }
}

runKeyStoreSuite('memory', memory('keys'))
runJoinTokenStoreSuite('memory', memory('joinTokens'))
runReplayStoreSuite('memory', memory('replay'))
runAuditSinkSuite('memory', memory('audit'))

describe('createMemoryStores', () => {
  it("uses verify's MemoryReplayStore on the given clock and closes at once", async () => {
    const clock = createTestClock()
    const stores = createMemoryStores(clock.now)
    assert.ok(stores.replay instanceof MemoryReplayStore)
    await stores.close()
    await stores.close()
  })
})

describe('MemoryJoinTokenStore', () => {
  it('sweeps expired tokens when a token is created', async () => {
    const clock = createTestClock()
    const store = new MemoryJoinTokenStore(clock.now)
    await store.create(sampleJoinToken('a', clock.now(), 10))
    await store.create(sampleJoinToken('b', clock.now(), 20))
    clock.advance(10)
    await store.create(sampleJoinToken('c', clock.now(), 10))
    assert.equal(store.size, 2)
  })
})

describe('MemoryAuditSink', () => {
  it('drops the oldest records in a batch once an eighth more than maxRecords arrived', async () => {
    const sink = new MemoryAuditSink({ maxRecords: 8 })
    for (let i = 0; i < 9; i += 1) await sink.append(sampleAuditRecord(1000 + i))
    assert.equal(sink.size, 9)
    await sink.append(sampleAuditRecord(1009))
    assert.equal(sink.size, 8)
    const first = await sink.query({ limit: 5 })
    assert.ok(first.next)
    const second = await sink.query({ limit: 5, before: first.next })
    assert.deepEqual(
      [...first.records, ...second.records].map((record) => record.time),
      [1009, 1008, 1007, 1006, 1005, 1004, 1003, 1002],
    )
    assert.equal(second.next, undefined)
  })

  for (const maxRecords of [0, -1, 1.5, Number.NaN]) {
    it(`refuses maxRecords ${maxRecords} with invalid_options`, () => {
      assert.throws(
        () => new MemoryAuditSink({ maxRecords }),
        isTesseraErrorLike({
          code: 'invalid_options',
          check: 'options',
          message: 'MemoryAuditSink options are invalid',
          problems: [{ path: 'maxRecords', message: 'must be a positive integer' }],
        }),
      )
    })
  }
})
