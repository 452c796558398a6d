// Acceptance test of issue #7 (client credentials): a token source with the exchange fetcher in
// front of a fault-injecting token endpoint on loopback that is switched to fail, hang and
// recover while the test moves an injected clock. Every claim is read off the server's log.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setImmediate as flush } from 'node:timers/promises'
import { sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import { isTesseraError } from '../explain/tessera-error.ts'
import { tesseraExchangeFetcher } from './exchange-fetcher.ts'
import { createTokenSource, type FetchContext, type FetchedToken } from './token-source.ts'

type Mode = 'ok' | 'fail' | 'hang'

interface LogEntry {
  /** The injected clock's time when the request arrived. */
  readonly at: number
  readonly mode: Mode
  /** Requests in progress at the server, this one included. */
  readonly concurrent: number
}

/** A stand-in for Tessera's token endpoint whose behaviour the test switches. */
async function faultyTokenEndpoint(
  t: Parameters<typeof startLoopbackServer>[0],
  now: () => number,
) {
  let mode: Mode = 'ok'
  let issued = 0
  let open = 0
  let maxConcurrent = 0
  const idleWaiters: (() => void)[] = []
  const log: LogEntry[] = []
  const server = await startLoopbackServer(t, (req, res) => {
    open += 1
    maxConcurrent = Math.max(maxConcurrent, open)
    log.push({ at: now(), mode, concurrent: open })
    // 'close' fires once: after the answer, or when the client gives up on a hanging request.
    res.on('close', () => {
      open -= 1
      if (open === 0) for (const wake of idleWaiters.splice(0)) wake()
    })
    req.resume()
    if (mode === 'ok') {
      issued += 1
      sendJson(res, {
        access_token: `tok-${issued}`,
        issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_type: 'Bearer',
        expires_in: 100,
      })
    } else if (mode === 'fail') {
      sendJson(
        res,
        { error: 'temporarily_unavailable', code: 'jwks_unavailable', correlation_id: 'c' },
        503,
      )
    }
    // 'hang': never answered; the loopback server closes the connection when the test ends.
  })
  return {
    url: server.url('/oauth2/token'),
    log,
    get mode() {
      return mode
    },
    get maxConcurrent() {
      return maxConcurrent
    },
    setMode(next: Mode) {
      mode = next
    },
    /** Resolves when no request is open at the server. */
    idle: () =>
      open === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
  }
}

describe('token source against a failing, hanging and recovering token endpoint', () => {
  it('serves cached tokens until expiry, single-flights refreshes and backs off with a cap', async (t) => {
    let now = 1000
    const endpoint = await faultyTokenEndpoint(t, () => now)
    const attempts: Promise<unknown>[] = []
    const fetcher = (timeoutMs: number) =>
      tesseraExchangeFetcher({
        tokenUrl: endpoint.url,
        subjectToken: () => 'subject-token',
        audience: 'https://payments.example.org',
        clock: () => now,
        timeoutMs,
      })
    // Healthy and failing attempts get a timeout a loaded CI machine cannot exceed; only the
    // attempts the endpoint hangs on go through the short one, which keeps that phase quick.
    const exchange = fetcher(10_000)
    const cutHanging = fetcher(300)
    const source = createTokenSource({
      // Wrapped only to let the test wait for each attempt to settle (no sleeping).
      fetchToken: (context?: FetchContext): Promise<FetchedToken> => {
        const attempt = (endpoint.mode === 'hang' ? cutHanging : exchange)(context)
        attempts.push(attempt)
        return attempt
      },
      clock: () => now,
      random: () => 0.5, // refresh at exactly half the lifetime; waits of half the ceiling
      backoff: { initialSeconds: 1, factor: 2, maxSeconds: 16 },
    })
    /** `callers` concurrent token() calls at time `at`, then waits until the attempt settled. */
    const callAt = async (at: number, callers = 5) => {
      now = at
      const results = await Promise.allSettled(
        Array.from({ length: callers }, () => source.token()),
      )
      await Promise.allSettled(attempts)
      await endpoint.idle()
      await flush()
      return results
    }
    const tokens = (results: PromiseSettledResult<string>[]) =>
      new Set(results.map((r) => (r.status === 'fulfilled' ? r.value : `rejected: ${r.reason}`)))
    const codes = (results: PromiseSettledResult<string>[]) =>
      new Set(
        results.map((r) =>
          r.status === 'rejected' && isTesseraError(r.reason) ? r.reason.code : 'fulfilled',
        ),
      )

    // 50 callers without a token: one request.
    assert.deepEqual(tokens(await callAt(1000, 50)), new Set(['tok-1']))
    assert.equal(endpoint.log.length, 1)
    assert.deepEqual(tokens(await callAt(1049.75, 50)), new Set(['tok-1']))
    assert.equal(endpoint.log.length, 1, 'no refresh before half the lifetime')

    // The endpoint fails from the refresh point on: callers keep tok-1 until it expires at 1100.
    endpoint.setMode('fail')
    let at = 1050
    for (; at < 1100; at += 0.25) {
      assert.deepEqual(
        tokens(await callAt(at, at === 1050 ? 50 : 5)),
        new Set(['tok-1']),
        `at ${at}`,
      )
    }
    // Expired: callers get the server's code, never a stale token.
    for (; at < 1110; at += 0.25) {
      const results = await callAt(at)
      assert.deepEqual(codes(results), new Set(['jwks_unavailable']), `at ${at}`)
      const reason = (results[0] as PromiseRejectedResult).reason as Error
      assert.match(reason.message, /answered HTTP 503/)
    }
    // The endpoint hangs: each attempt is cut by the 300 ms timeout.
    endpoint.setMode('hang')
    for (; at < 1130; at += 0.25) {
      const results = await callAt(at)
      assert.equal(results[0]?.status, 'rejected', `at ${at}`)
    }
    const lastHang = endpoint.log.at(-1) as LogEntry
    assert.equal(lastHang.mode, 'hang')
    await assert.rejects(source.token(), {
      code: 'upstream_unavailable',
      message: /failed: no answer within 300 ms$/,
    })

    // Recovery: the next attempt (at the backoff deadline, not before) gets a fresh token.
    endpoint.setMode('ok')
    let recoveredAt: number | undefined
    for (; recoveredAt === undefined; at += 0.25) {
      const results = await callAt(at, 50)
      if (results[0]?.status === 'fulfilled') {
        assert.deepEqual(tokens(results), new Set(['tok-2']))
        recoveredAt = at
      }
    }

    const times = endpoint.log.map((entry) => entry.at)
    const failing = endpoint.log.filter((entry) => entry.mode !== 'ok').map((entry) => entry.at)
    const gaps = failing.slice(1).map((time, i) => time - (failing[i] as number))
    // random 0.5 × ceiling 1, 2, 4, 8, 16 (cap) seconds.
    assert.deepEqual(gaps.slice(0, 5), [0.5, 1, 2, 4, 8])
    assert.ok(
      gaps.slice(4).every((gap) => gap === 8),
      `capped gaps, got ${gaps}`,
    )
    assert.ok(gaps.length >= 8, 'the failure lasted long enough to reach the cap')
    assert.equal(recoveredAt, (failing.at(-1) as number) + 8, 'no attempt before the deadline')
    assert.deepEqual(
      endpoint.log.map((entry) => entry.mode).filter((mode, i, all) => mode !== all[i - 1]),
      ['ok', 'fail', 'hang', 'ok'],
    )
    assert.equal(endpoint.maxConcurrent, 1, 'never more than one request in flight')
    assert.equal(times.length, 2 + failing.length)

    // A success resets the backoff: the next failure waits half of 1 s again.
    endpoint.setMode('fail')
    const refreshDue = (recoveredAt as number) + 50
    assert.deepEqual(tokens(await callAt(refreshDue)), new Set(['tok-2']))
    assert.deepEqual(tokens(await callAt(refreshDue + 0.25)), new Set(['tok-2']))
    assert.deepEqual(tokens(await callAt(refreshDue + 0.5)), new Set(['tok-2']))
    assert.deepEqual(
      endpoint.log.slice(-2).map((entry) => entry.at),
      [refreshDue, refreshDue + 0.5],
    )
  })
})
