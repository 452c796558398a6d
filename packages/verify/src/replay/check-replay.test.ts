import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkReplay } from './check-replay.ts'
import { MemoryReplayStore } from './memory-replay-store.ts'
import type { ReplayStore } from './replay-store.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
}

function assertError(error: TesseraError | undefined, want: Want): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, 'expected a TesseraError')
  const { code, check, expected, actual, hint } = error
  assert.deepEqual({ code, check, expected, actual, hint }, want)
}

const now = 1_800_000_000
const iss = 'https://idp.example.com'

/** A real store that also records every call. */
function recordingStore(): ReplayStore & { calls: [string, number][] } {
  const inner = new MemoryReplayStore({ clock: () => now })
  const calls: [string, number][] = []
  return {
    calls,
    use(key, expiresAt) {
      calls.push([key, expiresAt])
      return inner.use(key, expiresAt)
    },
  }
}

describe('checkReplay', () => {
  it('accepts a jti the first time and records it until exp plus the leeway', () => {
    const store = recordingStore()
    assert.equal(checkReplay({ iss, jti: 'abc', exp: now + 300 }, store, now, 60), undefined)
    assert.deepEqual(store.calls, [[`${iss}\u0000abc`, now + 360]])
  })

  it('rejects the same jti from the same issuer the second time', () => {
    const store = new MemoryReplayStore({ clock: () => now })
    const claims = { iss, jti: 'abc', exp: now + 300 }
    assert.equal(checkReplay(claims, store, now, 60), undefined)
    const error = checkReplay(claims, store, now, 60)
    assert.ok(!(error instanceof Promise))
    assertError(error, {
      code: 'replay',
      check: 'replay',
      expected: 'a jti not seen before',
      actual: 'abc',
      hint: undefined,
    })
    assert.equal(error.message, 'jti "abc" was already accepted once: this token is single-use')
  })

  it('keeps the jtis of different issuers apart', () => {
    const store = new MemoryReplayStore({ clock: () => now })
    assert.equal(checkReplay({ iss, jti: 'abc', exp: now + 300 }, store, now, 60), undefined)
    const other = { iss: 'https://other.example.org', jti: 'abc', exp: now + 300 }
    assert.equal(checkReplay(other, store, now, 60), undefined)
  })

  it('bounds the record by now plus the leeway when exp is absent', () => {
    const store = recordingStore()
    assert.equal(checkReplay({ jti: 'abc' }, store, now, 60), undefined)
    assert.deepEqual(store.calls, [['\u0000abc', now + 60]])
  })

  it('waits for an asynchronous store and reports a replay from it', async () => {
    const seen = new Set<string>()
    const store: ReplayStore = {
      use: async (key) => {
        if (seen.has(key)) return false
        seen.add(key)
        return true
      },
    }
    const claims = { iss, jti: 'abc', exp: now + 300 }
    const first = checkReplay(claims, store, now, 60)
    assert.ok(first instanceof Promise)
    assert.equal(await first, undefined)
    const second = checkReplay(claims, store, now, 60)
    assert.ok(second instanceof Promise)
    const error = await second
    assertError(error, {
      code: 'replay',
      check: 'replay',
      expected: 'a jti not seen before',
      actual: 'abc',
      hint: undefined,
    })
  })

  it('requires a jti, without touching the store', () => {
    const store = recordingStore()
    const error = checkReplay({ iss, exp: now + 300 }, store, now, 60)
    assert.ok(!(error instanceof Promise))
    assertError(error, {
      code: 'missing_claim',
      check: 'replay',
      expected: 'jti (a unique string)',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'jti is missing: single-use tokens need a unique jti')
    assert.deepEqual(store.calls, [])
  })

  it('treats an empty jti as missing', () => {
    const error = checkReplay({ iss, jti: '', exp: now + 300 }, recordingStore(), now, 60)
    assert.ok(!(error instanceof Promise))
    assert.equal(error?.code, 'missing_claim')
  })
})
