// Issue #7 acceptance: @tessera/verify/client's token source and exchange fetcher in front of the
// real Tessera (engine, policies, minter, JWKS) behind a loopback proxy the test switches to pass,
// fail (503, as a load balancer answers) and hang. Tessera's world clock is the source's clock;
// every claim about requests is read off the proxy's log.
import assert from 'node:assert/strict'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { describe, it } from 'node:test'
import { setImmediate as flush } from 'node:timers/promises'
import { createVerifier, decodeJwt, isTesseraError, type Verifier } from '@tessera/verify'
import {
  createTokenSource,
  type FetchContext,
  type FetchedToken,
  tesseraExchangeFetcher,
} from '@tessera/verify/client'
import { createServerWorld, payments, publicUrl, type ServerWorld } from './testing/server-world.ts'

type Mode = 'pass' | 'fail' | 'hang'

interface Logged {
  /** The world clock when the request arrived. */
  readonly at: number
  readonly mode: Mode
  /** Requests open at the proxy, this one included. */
  readonly concurrent: number
}

/** A proxy on 127.0.0.1:0 in front of `target`, whose behaviour the test switches. */
async function startFaultProxy(target: string, clock: () => number) {
  let mode: Mode = 'pass'
  let open = 0
  let maxConcurrent = 0
  const idleWaiters: (() => void)[] = []
  const log: Logged[] = []
  const sockets = new Set<Socket>()
  const server = createServer(async (request, response) => {
    open += 1
    maxConcurrent = Math.max(maxConcurrent, open)
    const current = mode
    log.push({ at: clock(), mode: current, concurrent: open })
    // 'close' fires once: after the answer, or when the client gives up on a hanging request.
    response.on('close', () => {
      open -= 1
      if (open === 0) for (const wake of idleWaiters.splice(0)) wake()
    })
    const body = await readBody(request)
    if (current === 'hang') return
    if (current === 'fail') {
      response.writeHead(503, { 'content-type': 'text/plain' })
      response.end('no healthy upstream')
      return
    }
    const answer = await fetch(`${target}${request.url ?? ''}`, {
      method: request.method ?? 'GET',
      headers: {
        'content-type': request.headers['content-type'] ?? 'application/octet-stream',
        accept: request.headers.accept ?? '*/*',
      },
      ...(request.method === 'POST' ? { body } : {}),
      signal: AbortSignal.timeout(5000),
    })
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    })
    response.end(Buffer.from(await answer.arrayBuffer()))
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    get maxConcurrent() {
      return maxConcurrent
    },
    setMode(next: Mode) {
      mode = next
    },
    /** Resolves when no request is open at the proxy. */
    idle: () =>
      open === 0 ? Promise.resolve() : new Promise<void>((resolve) => idleWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** A verifier of Tessera's tokens that knows only the JWKS Tessera serves now. */
async function verifierFromJwks(world: ServerWorld, origin: string): Promise<Verifier> {
  const response = await fetch(`${origin}/.well-known/jwks.json`)
  assert.equal(response.status, 200)
  return createVerifier({
    issuers: [
      {
        issuer: publicUrl,
        jwks: (await response.json()) as { keys: Record<string, unknown>[] },
        algorithms: [world.config.issuer.algorithm],
      },
    ],
    audience: payments,
    clock: world.now,
  })
}

const subject = 'repo:acme/payments:main'

describe('token source against Tessera behind a failing, hanging and recovering proxy', () => {
  it('serves cached tokens until expiry, sends one request at a time, backs off with a cap and recovers', async (t) => {
    const world = await createServerWorld()
    await world.app.listen({ host: '127.0.0.1', port: 0 })
    const origin = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`
    const proxy = await startFaultProxy(origin, world.now)
    t.after(async () => {
      await proxy.close()
      await world.close()
    })

    const attempts: Promise<unknown>[] = []
    const exchange = tesseraExchangeFetcher({
      tokenUrl: `${proxy.url}/oauth2/token`,
      // A CI token is single-use at Tessera (jti replay): one per attempt, as CI would.
      subjectToken: () => world.ciToken({ sub: subject }),
      audience: payments,
      scope: ['payments.read'],
      clock: world.now,
      // Longer than the source's deadline, so that deadline is what cuts a hanging attempt.
      timeoutMs: 10_000,
    })
    const source = createTokenSource({
      // Wrapped only to let the test wait for each attempt to settle (no sleeping).
      fetchToken: (context?: FetchContext): Promise<FetchedToken> => {
        const attempt = exchange(context)
        attempts.push(attempt)
        return attempt
      },
      clock: world.now,
      random: () => 0.5, // refresh at exactly half the lifetime; waits of half the ceiling
      // Waits of whole seconds: Tessera's clock (the same function) only ever reads whole ones.
      backoff: { initialSeconds: 2, factor: 2, maxSeconds: 32 },
      // Healthy attempts share this deadline with the hung ones, and on two busy cores a cold
      // Tessera can take over a second to answer: 5 s, at the price of 15 s for three hangs.
      timeoutMs: 5000,
    })
    t.after(() => source.close?.())

    /** `callers` concurrent token() calls at world time `at`, then waits until all settled. */
    const callAt = async (at: number, callers = 5) => {
      world.advance(at - world.now())
      const results = await Promise.allSettled(
        Array.from({ length: callers }, () => source.token()),
      )
      await Promise.allSettled(attempts)
      await proxy.idle()
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
    const reasonOf = (results: PromiseSettledResult<string>[]) =>
      (results[0] as PromiseRejectedResult).reason as Error

    // The world moves in whole seconds, as the system clock does (Tessera mints from it).
    const step = 1
    // 50 callers without a token: one request, one token, verifiable with Tessera's JWKS.
    const start = world.now()
    const firstCall = await callAt(start, 50)
    assert.equal(tokens(firstCall).size, 1)
    assert.equal(proxy.log.length, 1)
    const first = (firstCall[0] as PromiseFulfilledResult<string>).value
    const verified = await (await verifierFromJwks(world, origin)).verify(first)
    assert.equal(verified.claims.sub, subject)
    assert.equal(verified.claims.scope, 'payments.read')
    const { exp } = decodeJwt(first, 16 * 1024).claims as { exp: number }
    const refreshAt = start + (exp - start) / 2
    assert.deepEqual(tokens(await callAt(refreshAt - step, 50)), new Set([first]))
    assert.equal(proxy.log.length, 1, 'no refresh before half the lifetime')

    // The proxy fails from the refresh point on: callers keep the cached token until it expires.
    proxy.setMode('fail')
    let at = refreshAt
    for (; at < exp; at += step) {
      const callers = at === refreshAt ? 50 : 5
      assert.deepEqual(tokens(await callAt(at, callers)), new Set([first]), `at ${at - start}`)
    }
    assert.equal(proxy.log.filter((entry) => entry.at === refreshAt).length, 1)
    // Expired: callers get upstream_unavailable naming the 503, never the stale token.
    for (; at < exp + 10; at += step) {
      const results = await callAt(at)
      assert.deepEqual(codes(results), new Set(['upstream_unavailable']), `at ${at - start}`)
      assert.match(reasonOf(results).message, /answered HTTP 503$/)
    }

    // The proxy hangs: each attempt is cut by the source's 5000 ms deadline.
    proxy.setMode('hang')
    const hanging = () => proxy.log.filter((entry) => entry.mode === 'hang').length
    for (; hanging() < 3; at += step) {
      const results = await callAt(at)
      assert.deepEqual(codes(results), new Set(['upstream_unavailable']), `at ${at - start}`)
    }
    await assert.rejects(source.token(), {
      code: 'upstream_unavailable',
      message: 'fetching a token timed out after 5000 ms',
    })

    // Recovery: the next attempt (at the backoff deadline, not before) gets a fresh token.
    proxy.setMode('pass')
    let recoveredAt: number | undefined
    let second = ''
    for (; recoveredAt === undefined; at += step) {
      const results = await callAt(at, 50)
      if (results[0]?.status === 'fulfilled') {
        assert.equal(tokens(results).size, 1)
        second = results[0].value
        recoveredAt = at
      }
    }
    assert.notEqual(second, first)
    const recovered = await (await verifierFromJwks(world, origin)).verify(second)
    assert.equal(recovered.claims.sub, subject)
    assert.equal(recovered.claims.iat, recoveredAt)

    const failing = proxy.log.filter((entry) => entry.mode !== 'pass').map((entry) => entry.at)
    const gaps = failing.slice(1).map((time, i) => time - (failing[i] as number))
    // random 0.5 × ceiling 2, 4, 8, 16, 32 (the cap) seconds.
    assert.deepEqual(gaps.slice(0, 5), [1, 2, 4, 8, 16])
    assert.ok(
      gaps.slice(4).every((gap) => gap === 16),
      `capped gaps, got ${gaps}`,
    )
    assert.ok(gaps.length >= 8, 'the failure lasted long enough to reach the cap')
    assert.equal(recoveredAt, (failing.at(-1) as number) + 16, 'no attempt before the deadline')
    assert.deepEqual(
      proxy.log.map((entry) => entry.mode).filter((mode, i, all) => mode !== all[i - 1]),
      ['pass', 'fail', 'hang', 'pass'],
    )
    assert.equal(proxy.maxConcurrent, 1, 'never more than one request in flight')
    assert.equal(proxy.log.length, 2 + failing.length)
  })
})
