import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setImmediate as flush } from 'node:timers/promises'
import { TesseraError } from '../explain/tessera-error.ts'
import {
  createTokenSource,
  type FetchedToken,
  type TokenFetcher,
  type TokenSourceOptions,
} from './token-source.ts'

interface Call {
  readonly at: number
  readonly signal: AbortSignal | undefined
  resolve(value: FetchedToken): void
  reject(error: unknown): void
}

/** A fetcher whose attempts the test settles by hand, against a clock the test moves. */
function world(overrides: Partial<TokenSourceOptions> = {}) {
  let now = 1000
  const calls: Call[] = []
  const fetchToken: TokenFetcher = (context) =>
    new Promise<FetchedToken>((resolve, reject) => {
      calls.push({ at: now, signal: context?.signal, resolve, reject })
    })
  const source = createTokenSource({
    fetchToken,
    clock: () => now,
    random: () => 0.5, // no jitter spread; backoff waits half its ceiling
    ...overrides,
  })
  return {
    source,
    calls,
    now: () => now,
    set: (t: number) => {
      now = t
    },
    last: () => calls.at(-1) as Call,
  }
}

const unavailable = () =>
  new TesseraError({ code: 'jwks_unavailable', message: 'token endpoint answered HTTP 503' })

describe('createTokenSource', () => {
  it('fetches once, then serves the cached token while it is fresh', async () => {
    const w = world()
    const first = w.source.token()
    assert.equal(w.calls.length, 1)
    w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
    assert.equal(await first, 'tok-1')
    w.set(1049)
    assert.equal(await w.source.token(), 'tok-1')
    assert.equal(w.calls.length, 1)
  })

  it('shares one attempt between 50 concurrent callers without a token', async () => {
    const w = world()
    const callers = Array.from({ length: 50 }, () => w.source.token())
    assert.equal(w.calls.length, 1)
    w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
    assert.deepEqual(new Set(await Promise.all(callers)), new Set(['tok-1']))
  })

  it('past refreshAt starts one background refresh and keeps answering with the cached token', async () => {
    const w = world()
    const first = w.source.token()
    w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
    await first
    w.set(1050)
    const during = await Promise.all(Array.from({ length: 50 }, () => w.source.token()))
    assert.deepEqual(new Set(during), new Set(['tok-1']))
    assert.equal(w.calls.length, 2, 'exactly one refresh for 50 callers')
    assert.equal(w.last().at, 1050)
    w.last().resolve({ token: 'tok-2', expiresAt: 1150 })
    await flush()
    assert.equal(await w.source.token(), 'tok-2')
    // The new token's refresh point is half of its own lifetime: 1050 + 100 / 2.
    w.set(1099)
    await w.source.token()
    assert.equal(w.calls.length, 2)
    w.set(1100)
    await w.source.token()
    assert.equal(w.calls.length, 3)
  })

  it('spreads the refresh point by ±jitter of the lifetime', async () => {
    for (const [random, due] of [
      [0, 1040],
      [0.75, 1055],
    ] as const) {
      const w = world({ jitter: 0.1, random: () => random })
      const first = w.source.token()
      w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
      await first
      w.set(due - 1)
      await w.source.token()
      assert.equal(w.calls.length, 1, `no refresh before ${due}`)
      w.set(due)
      await w.source.token()
      assert.equal(w.calls.length, 2, `refresh at ${due}`)
    }
  })

  it('after a failure keeps the cached token and waits for the backoff deadline', async () => {
    const w = world()
    const first = w.source.token()
    w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
    await first
    w.set(1050)
    assert.equal(await w.source.token(), 'tok-1')
    w.last().reject(unavailable())
    await flush()
    // random 0.5 × ceiling 1 s: the next attempt may start at 1050.5.
    w.set(1050.4)
    assert.equal(await w.source.token(), 'tok-1')
    assert.equal(w.calls.length, 2)
    w.set(1050.5)
    assert.equal(await w.source.token(), 'tok-1')
    assert.equal(w.calls.length, 3)
  })

  it('once the token expired, rejects with the last failure until the deadline, then tries again', async () => {
    const w = world()
    const first = w.source.token()
    w.last().reject(unavailable())
    await assert.rejects(first, { code: 'jwks_unavailable' })
    // Before the deadline (1000.5) no attempt: the same failure, at once.
    await assert.rejects(w.source.token(), { code: 'jwks_unavailable' })
    assert.equal(w.calls.length, 1)
    w.set(1000.5)
    const second = w.source.token()
    assert.equal(w.calls.length, 2)
    w.last().resolve({ token: 'tok-1', expiresAt: 1100 })
    assert.equal(await second, 'tok-1')
  })

  it('backs off exponentially up to the cap, and a success resets it', async () => {
    const w = world({ backoff: { initialSeconds: 1, factor: 2, maxSeconds: 8 }, random: () => 1 })
    const attempts: number[] = []
    // Step the clock in quarter seconds; each attempt fails; record when attempts start.
    for (let t = 1000; t <= 1060; t += 0.25) {
      w.set(t)
      const before = w.calls.length
      const pending = w.source.token()
      if (w.calls.length > before) {
        attempts.push(t)
        w.last().reject(unavailable())
      }
      await assert.rejects(pending, { code: 'jwks_unavailable' })
    }
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number))
    assert.deepEqual(gaps.slice(0, 6), [1, 2, 4, 8, 8, 8])
    w.set(w.now() + 8)
    const recovered = w.source.token()
    w.last().resolve({ token: 'tok-1', expiresAt: w.now() + 2 })
    await recovered
    w.set(w.now() + 2)
    const again = w.source.token()
    w.last().reject(unavailable())
    await assert.rejects(again, { code: 'jwks_unavailable' })
    const failedAt = w.now()
    w.set(failedAt + 0.99)
    await assert.rejects(w.source.token(), { code: 'jwks_unavailable' })
    const attemptsSoFar = w.calls.length
    w.set(failedAt + 1)
    void w.source.token().catch(() => undefined)
    assert.equal(w.calls.length, attemptsSoFar + 1, 'the wait after a success starts at 1 s again')
  })

  it('cuts a hanging attempt with the per-attempt timeout and aborts the fetch', async () => {
    const w = world({ timeoutMs: 20 })
    await assert.rejects(w.source.token(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.equal(error.message, 'fetching a token timed out after 20 ms')
      return true
    })
    assert.equal(w.calls[0]?.signal?.aborted, true)
  })

  it('turns a plain network error into upstream_unavailable naming its errno', async () => {
    const w = world()
    const pending = w.source.token()
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    })
    w.last().reject(new TypeError('fetch failed', { cause: refused }))
    await assert.rejects(pending, (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.equal(error.message, 'fetching a token failed: network error (ECONNREFUSED)')
      assert.equal(error.actual, 'ECONNREFUSED')
      return true
    })
  })

  it("keeps internal_error for a fetcher's own bug, even one with a Node ERR_ code", async () => {
    const w = world()
    const pending = w.source.token()
    w.last().reject(Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' }))
    await assert.rejects(pending, { code: 'internal_error', message: /bad argument/ })
  })

  it('turns a foreign error into internal_error without echoing a token', async () => {
    const w = world()
    const pending = w.source.token()
    const leaked = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
    w.last().reject(new Error(`upstream said ${leaked}`))
    await assert.rejects(pending, (error: TesseraError) => {
      assert.equal(error.code, 'internal_error')
      assert.match(error.message, /fetching a token failed/)
      assert.ok(!error.message.includes(leaked))
      return true
    })
  })

  it('refuses what a fetcher returns when it is not a usable token', async () => {
    for (const [value, pattern] of [
      [{ token: '', expiresAt: 1100 }, /without a token/],
      [{ expiresAt: 1100 }, /without a token/],
      [undefined, /without a token/],
      [{ token: 'tok', expiresAt: 1000 }, /already expired/],
      [{ token: 'tok', expiresAt: Number.NaN }, /already expired/],
    ] as const) {
      const w = world()
      const pending = w.source.token()
      w.last().resolve(value as unknown as FetchedToken)
      await assert.rejects(pending, (error: TesseraError) => {
        assert.equal(error.code, 'internal_error')
        assert.match(error.message, pattern)
        return true
      })
    }
  })

  it('close() aborts the attempt in flight and refuses later calls', async () => {
    const w = world()
    const pending = w.source.token()
    w.source.close?.()
    assert.equal(w.last().signal?.aborted, true)
    await assert.rejects(pending, { code: 'internal_error', message: 'the token source is closed' })
    await assert.rejects(w.source.token(), { message: 'the token source is closed' })
    assert.equal(w.calls.length, 1)
  })

  it('refuses invalid options, listing every problem', () => {
    assert.throws(
      () =>
        createTokenSource({
          refreshAt: 0,
          jitter: 1,
          timeoutMs: -1,
          clock: 5,
          random: 'no',
          backoff: { initialSeconds: 0, maxSeconds: Number.NaN, factor: 0.5 },
        } as unknown as TokenSourceOptions),
      (error: TesseraError) => {
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          [
            'fetchToken',
            'clock',
            'random',
            'refreshAt',
            'jitter',
            'timeoutMs',
            'backoff.initialSeconds',
            'backoff.maxSeconds',
            'backoff.factor',
          ],
        )
        return true
      },
    )
    assert.throws(
      () =>
        createTokenSource({
          fetchToken: async () => ({ token: 't', expiresAt: 1 }),
          backoff: { initialSeconds: 10, maxSeconds: 5 },
        }),
      { code: 'invalid_options', message: /backoff.maxSeconds must be at least/ },
    )
  })
})
