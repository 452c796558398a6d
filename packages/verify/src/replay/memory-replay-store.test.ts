import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { steppableClock } from '../../test/support/token-factory.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { MemoryReplayStore } from './memory-replay-store.ts'

describe('MemoryReplayStore', () => {
  it('accepts a key once and refuses it again until it expires', () => {
    const clock = steppableClock()
    const store = new MemoryReplayStore({ clock: clock.now })
    const until = clock.now() + 300
    assert.equal(store.use('a', until), true)
    assert.equal(store.use('a', until), false)
    clock.advance(299)
    assert.equal(store.use('a', until), false)
  })

  it('accepts a key again once its expiry is reached', () => {
    const clock = steppableClock()
    const store = new MemoryReplayStore({ clock: clock.now })
    const until = clock.now() + 300
    assert.equal(store.use('a', until), true)
    clock.set(until)
    assert.equal(store.use('a', until + 300), true)
    assert.equal(store.use('a', until + 300), false)
  })

  it('keeps different keys apart', () => {
    const store = new MemoryReplayStore({ clock: () => 1000 })
    assert.equal(store.use('a', 2000), true)
    assert.equal(store.use('b', 2000), true)
    assert.equal(store.size, 2)
  })

  it('fails closed with replay when full of unexpired keys, rather than forgetting one', () => {
    const store = new MemoryReplayStore({ clock: () => 1000, maxEntries: 2 })
    assert.equal(store.use('a', 2000), true)
    assert.equal(store.use('b', 2000), true)
    let thrown: unknown
    try {
      store.use('c', 2000)
    } catch (error) {
      thrown = error
    }
    assert.ok(thrown instanceof TesseraError)
    const { code, check, expected, actual, hint } = thrown
    assert.deepEqual(
      { code, check, expected, actual, hint },
      {
        code: 'replay',
        check: 'replay',
        expected: '< 2 entries',
        actual: '2 entries',
        hint: undefined,
      },
    )
    assert.equal(
      thrown.message,
      'replay store holds 2 unexpired identifiers: refusing new ones rather than forgetting live ones',
    )
    // The live keys are still refused.
    assert.equal(store.use('a', 2000), false)
  })

  it('makes room when full by sweeping expired keys', () => {
    const clock = steppableClock(1000)
    const store = new MemoryReplayStore({ clock: clock.now, maxEntries: 2 })
    assert.equal(store.use('a', 1010), true)
    assert.equal(store.use('b', 2000), true)
    clock.advance(10)
    assert.equal(store.use('c', 2000), true)
    assert.equal(store.size, 2)
    assert.equal(store.use('b', 2000), false)
  })

  it('sweeps expired keys at most once a minute as it is used', () => {
    const clock = steppableClock(1000)
    const store = new MemoryReplayStore({ clock: clock.now })
    assert.equal(store.use('a', 1010), true)
    clock.advance(30)
    assert.equal(store.use('b', 2000), true)
    // 'a' has expired but lingers until the next sweep.
    assert.equal(store.size, 2)
    clock.advance(30)
    assert.equal(store.use('c', 2000), true)
    assert.equal(store.size, 2)
  })

  it('uses the system clock by default', () => {
    const store = new MemoryReplayStore()
    assert.equal(store.use('a', Number.MAX_SAFE_INTEGER), true)
    assert.equal(store.use('a', Number.MAX_SAFE_INTEGER), false)
    assert.equal(store.use('b', 0), true)
  })

  for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
    it(`refuses maxEntries ${maxEntries} with invalid_options`, () => {
      assert.throws(
        () => new MemoryReplayStore({ maxEntries }),
        (error: unknown) => {
          assert.ok(error instanceof TesseraError)
          assert.equal(error.code, 'invalid_options')
          assert.equal(error.check, 'options')
          assert.equal(error.message, 'MemoryReplayStore options are invalid')
          assert.deepEqual(error.problems, [
            { path: 'maxEntries', message: 'must be a positive integer' },
          ])
          assert.equal(error.expected, undefined)
          assert.equal(error.actual, undefined)
          assert.equal(error.hint, undefined)
          return true
        },
      )
    })
  }
})
