import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { describe, it, type TestContext } from 'node:test'
import {
  type LoopbackServer,
  type RequestHandler,
  sendJson,
  startLoopbackServer,
} from '../../test/support/http-server.ts'
import { generateTestKey, jwksOf, steppableClock } from '../../test/support/token-factory.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { createJwksClient, type JwksClientOptions } from './jwks-client.ts'
import type { VerificationKey } from './verification-key.ts'

const keyA = generateTestKey('ES256', 'key-a')
const keyB = generateTestKey('ES256', 'key-b')
const wellKnown = '/.well-known/openid-configuration'

const serveJson =
  (body: unknown, headers: Record<string, string> = {}): RequestHandler =>
  (_req, res) =>
    sendJson(res, body, 200, headers)
const serveStatus =
  (status: number): RequestHandler =>
  (_req, res) =>
    sendJson(res, { error: 'unavailable' }, status)

/** A loopback JWKS endpoint at `/jwks` serving `body`, and a client on a steppable clock. */
async function setup(
  t: TestContext,
  body: unknown = jwksOf(keyA),
  options: Partial<Omit<JwksClientOptions, 'jwksUri' | 'discovery' | 'clock'>> = {},
) {
  const server = await startLoopbackServer(t, serveJson(body))
  const clock = steppableClock()
  const jwksUri = server.url('/jwks')
  const client = createJwksClient({
    source: 'https://idp.example.com',
    ...options,
    jwksUri,
    clock: clock.now,
  })
  return { server, clock, client, jwksUri, start: clock.now() }
}

/** Asserts that `select` answered synchronously with keys, and returns their kids. */
function syncKids(
  result: readonly VerificationKey[] | Promise<readonly VerificationKey[]>,
): (string | undefined)[] {
  assert.ok(!(result instanceof Promise), 'expected a synchronous answer, got a promise')
  return result.map((k) => k.kid)
}

/** Asserts that `select` answered with a promise, and returns the kids it resolves to. */
async function asyncKids(
  result: readonly VerificationKey[] | Promise<readonly VerificationKey[]>,
): Promise<(string | undefined)[]> {
  assert.ok(result instanceof Promise, 'expected a promise (a fetch), got a synchronous answer')
  return (await result).map((k) => k.kid)
}

/** Asserts that `fn` throws a TesseraError synchronously (no promise), and returns it. */
function thrownSync(fn: () => unknown): TesseraError {
  let result: unknown
  try {
    result = fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error
  }
  if (result instanceof Promise) result.catch(() => undefined)
  assert.fail(
    `expected a synchronous throw, got ${result instanceof Promise ? 'a promise' : 'a value'}`,
  )
}

/** Awaits a rejection (the call itself must not throw synchronously) and returns it. */
async function rejection(fn: () => unknown): Promise<TesseraError> {
  const result = fn()
  assert.ok(result instanceof Promise, 'expected a promise, got a synchronous answer')
  try {
    await result
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a rejection')
}

/** Calls `fn`, turning a synchronous throw into a rejected promise. */
function settle<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn())
  } catch (error) {
    return Promise.reject(error)
  }
}

/** Selects 100 random unknown kids at once; every one must fail with unknown_key. */
async function flood(select: (kid: string) => unknown): Promise<void> {
  const outcomes = await Promise.allSettled(
    Array.from({ length: 100 }, () => settle(() => select(`forged-${randomUUID()}`))),
  )
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected')
    assert.equal((outcome as PromiseRejectedResult).reason.code, 'unknown_key')
  }
}

describe('createJwksClient', () => {
  describe('caching', () => {
    it('fetches the key set on first use and selects by kid', async (t) => {
      const { server, client, jwksUri, start } = await setup(t)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 1)
      assert.deepEqual(client.state(), {
        kind: 'jwks_uri',
        jwksUri,
        fetchedAt: start,
        expiresAt: start + 600,
        kids: ['key-a'],
        rejected: [],
        fetches: 1,
      })
    })

    it('answers synchronously from a fresh cache without another request', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      assert.deepEqual(syncKids(client.select('key-a', 'ES256')), ['key-a'])
      clock.advance(599)
      assert.deepEqual(syncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 1)
    })

    it('shares one fetch between concurrent first selects', async (t) => {
      const { server, client } = await setup(t)
      const results = Array.from({ length: 20 }, () => client.select('key-a', 'ES256'))
      for (const result of results) assert.deepEqual(await asyncKids(result), ['key-a'])
      assert.equal(server.requests, 1)
      assert.equal(client.state().fetches, 1)
    })

    it('refetches once the max age has passed', async (t) => {
      const { server, client, clock, start } = await setup(t, jwksOf(keyA), { maxAgeSeconds: 300 })
      await client.select('key-a', 'ES256')
      clock.advance(300)
      server.setHandler(serveJson(jwksOf(keyB)))
      assert.deepEqual(await asyncKids(client.select('key-b', 'ES256')), ['key-b'])
      assert.equal(server.requests, 2)
      assert.equal(client.state().fetchedAt, start + 300)
      assert.equal(client.state().expiresAt, start + 600)
    })

    it('honours a Cache-Control max-age shorter than maxAgeSeconds', async (t) => {
      const { server, client, clock, start } = await setup(t)
      server.setHandler(serveJson(jwksOf(keyA), { 'cache-control': 'public, max-age=120' }))
      await client.select('key-a', 'ES256')
      assert.equal(client.state().expiresAt, start + 120)
      clock.advance(119)
      syncKids(client.select('key-a', 'ES256'))
      clock.advance(1)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 2)
    })

    it('caps a Cache-Control max-age longer than maxAgeSeconds', async (t) => {
      const { server, client, start } = await setup(t)
      server.setHandler(serveJson(jwksOf(keyA), { 'cache-control': 'max-age="86400"' }))
      await client.select('key-a', 'ES256')
      assert.equal(client.state().expiresAt, start + 600)
    })

    it('never keeps a set for less than the cooldown, whatever Cache-Control says', async (t) => {
      const { server, client, start } = await setup(t)
      server.setHandler(serveJson(jwksOf(keyA), { 'cache-control': 'no-cache, max-age=0' }))
      await client.select('key-a', 'ES256')
      assert.equal(client.state().expiresAt, start + 30)
    })

    it('imports the set once per fetch and lists refused keys in its state', async (t) => {
      const hmac = { kty: 'oct', kid: 'shared-secret', k: 'c2VjcmV0' }
      const { client } = await setup(t, { keys: [keyA.jwk, hmac] })
      await client.select('key-a', 'ES256')
      const state = client.state()
      assert.deepEqual(state.kids, ['key-a'])
      assert.deepEqual(
        state.rejected.map((r) => r.kid),
        ['shared-secret'],
      )
      const first = syncKids(client.select('key-a', 'ES256'))
      assert.deepEqual(first, ['key-a'])
      const [a1] = client.select('key-a', 'ES256') as readonly VerificationKey[]
      const [a2] = client.select('key-a', 'ES256') as readonly VerificationKey[]
      assert.equal(a1, a2, 'the same imported key object serves every token')
    })
  })

  describe('unknown kid', () => {
    it('refreshes exactly once when a token names a kid from a rotation', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      clock.advance(31)
      server.setHandler(serveJson(jwksOf(keyA, keyB)))
      assert.deepEqual(await asyncKids(client.select('key-b', 'ES256')), ['key-b'])
      assert.equal(server.requests, 2)
      assert.deepEqual(syncKids(client.select('key-b', 'ES256')), ['key-b'])
      assert.deepEqual(client.state().kids, ['key-a', 'key-b'])
      assert.equal(server.requests, 2)
    })

    it('rejects an unknown kid synchronously within the cooldown, saying when the next refresh is allowed', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      clock.advance(10)
      const error = thrownSync(() => client.select('key-z', 'ES256'))
      assert.equal(error.code, 'unknown_key')
      assert.equal(error.check, 'key')
      assert.deepEqual(error.expected, ['key-a'])
      assert.deepEqual(error.actual, 'key-z')
      assert.equal(error.hint, undefined)
      assert.equal(
        error.message,
        'kid "key-z" is not one of ["key-a"] in https://idp.example.com; key set refreshed 10 s ago, next refresh allowed in 20 s',
      )
      assert.equal((error.cause as TesseraError).code, 'unknown_key')
      assert.equal(server.requests, 1)
    })

    it('rejects a kid still unknown after the refresh', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      clock.advance(30)
      const error = await rejection(() => client.select('key-z', 'ES256'))
      assert.equal(error.code, 'unknown_key')
      assert.deepEqual(error.expected, ['key-a'])
      assert.equal(error.actual, 'key-z')
      assert.equal(error.hint, undefined)
      assert.equal(error.message, 'kid "key-z" is not one of ["key-a"] in https://idp.example.com')
      assert.equal(server.requests, 2)
    })

    it('fetches at most once per cooldown under a flood of random kids', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      await flood((kid) => client.select(kid, 'ES256'))
      assert.equal(server.requests, 1, 'no fetch within the cooldown of the first one')
      clock.advance(31)
      await flood((kid) => client.select(kid, 'ES256'))
      assert.equal(server.requests, 2, 'one fetch for the whole flood after the cooldown')
      clock.advance(29)
      await flood((kid) => client.select(kid, 'ES256'))
      assert.equal(server.requests, 2)
    })

    it('fetches once for a flood of random kids on first use', async (t) => {
      const { server, client } = await setup(t)
      await flood((kid) => client.select(kid, 'ES256'))
      assert.equal(server.requests, 1)
    })

    it('does not refresh for a key that exists but cannot verify the alg', async (t) => {
      const { server, client, clock } = await setup(t)
      await client.select('key-a', 'ES256')
      clock.advance(60)
      const error = thrownSync(() => client.select('key-a', 'RS256'))
      assert.equal(error.code, 'key_type_mismatch')
      assert.equal(error.expected, 'ES256')
      assert.equal(error.actual, 'RS256')
      assert.equal(error.hint, undefined)
      assert.equal(server.requests, 1)
    })

    it('keeps the fresh set when the refresh for an unknown kid fails, and counts the attempt', async (t) => {
      const { server, client, clock, start } = await setup(t)
      await client.select('key-a', 'ES256')
      clock.advance(40)
      server.setHandler(serveStatus(502))
      const error = await rejection(() => client.select('key-z', 'ES256'))
      assert.equal(error.code, 'unknown_key')
      assert.deepEqual(error.expected, ['key-a'])
      assert.equal(error.actual, 'key-z')
      assert.equal(error.hint, undefined)
      assert.deepEqual(syncKids(client.select('key-a', 'ES256')), ['key-a'])
      const again = thrownSync(() => client.select('key-z', 'ES256'))
      assert.match(again.message, /; key set refresh failed 0 s ago, next refresh allowed in 30 s$/)
      assert.equal(server.requests, 2)
      const state = client.state()
      assert.equal(state.fetches, 1)
      assert.equal(state.lastError?.code, 'jwks_unavailable')
      assert.equal(state.lastError?.at, start + 40)
      assert.match(state.lastError?.message ?? '', /: HTTP 502$/)
    })
  })

  describe('failures', () => {
    it('rejects with jwks_unavailable when the endpoint never answers within timeoutMs', async (t) => {
      const { server, client, jwksUri, start } = await setup(t, undefined, { timeoutMs: 200 })
      server.setHandler(() => {})
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(
        error.message,
        `could not fetch JWKS ${JSON.stringify(jwksUri)}: timed out after 200 ms`,
      )
      assert.equal(error.expected, 'a response within 200 ms')
      assert.equal(error.actual, undefined)
      assert.equal(error.hint, undefined)
      assert.deepEqual(client.state(), {
        kind: 'jwks_uri',
        jwksUri,
        kids: [],
        rejected: [],
        lastError: { code: 'jwks_unavailable', message: error.message, at: start },
        fetches: 0,
      })
    })

    it('stops reading a 50 MB key set early and rejects it as larger than the cap', async (t) => {
      const total = 50 * 1024 * 1024
      let written = 0
      let closed: Promise<void> = Promise.resolve()
      const { server, client } = await setup(t)
      server.setHandler((_req, res) => {
        closed = new Promise((resolve) => res.on('close', () => resolve()))
        res.writeHead(200, { 'content-type': 'application/json' })
        const chunk = Buffer.alloc(64 * 1024, 0x20)
        const pump = (): void => {
          while (written < total && !res.destroyed) {
            written += chunk.length
            // Respect backpressure, so `written` is what the client could actually have pulled.
            if (!res.write(chunk)) return void res.once('drain', pump)
          }
          if (!res.destroyed) res.end()
        }
        pump()
      })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.match(error.message, /: larger than 524288 bytes$/)
      assert.equal(error.expected, 'at most 524288 bytes')
      assert.equal(error.actual, 'more than 524288 bytes')
      assert.equal(error.hint, undefined)
      await closed
      assert.ok(
        written < total,
        `the server wrote ${written} of ${total} bytes before the client hung up`,
      )
      assert.equal(client.state().fetches, 0)
    })

    it('refuses a declared Content-Length over maxBytes without reading', async (t) => {
      const { server, client } = await setup(t, undefined, { maxBytes: 1000 })
      server.setHandler((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' })
        res.write('{"keys": [')
      })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.match(error.message, /: larger than 1000 bytes \(Content-Length 4096\)$/)
      assert.equal(error.expected, 'at most 1000 bytes')
      assert.equal(error.actual, '4096 bytes')
      assert.equal(error.hint, undefined)
    })

    it('rejects an HTTP 500 as jwks_unavailable', async (t) => {
      const { server, client, jwksUri } = await setup(t)
      server.setHandler(serveStatus(500))
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(error.message, `could not fetch JWKS ${JSON.stringify(jwksUri)}: HTTP 500`)
      assert.equal(error.expected, '2xx')
      assert.equal(error.actual, 'HTTP 500')
      assert.equal(error.hint, undefined)
    })

    it('rejects a body that is not JSON as jwks_unavailable', async (t) => {
      const { server, client } = await setup(t)
      server.setHandler((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"keys": [')
      })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.match(error.message, /: not JSON$/)
      assert.equal(error.expected, 'a JSON document')
      assert.equal(error.actual, '{"keys": [')
      assert.equal(error.hint, undefined)
    })

    it('rejects JSON that is not a JWK Set as jwks_unavailable', async (t) => {
      const { client } = await setup(t, { keys: 'none' })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(error.expected, '{"keys": [...]}')
      assert.equal(error.actual, 'object')
      assert.equal(error.hint, undefined)
    })

    it('does not retry a failed first fetch within the cooldown', async (t) => {
      const { server, client, clock } = await setup(t)
      server.setHandler(serveStatus(503))
      await rejection(() => client.select('key-a', 'ES256'))
      server.setHandler(serveJson(jwksOf(keyA)))
      clock.advance(5)
      const error = thrownSync(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(error.expected, '2xx')
      assert.equal(error.actual, 'HTTP 503')
      assert.equal(error.hint, undefined)
      assert.match(error.message, /: HTTP 503; last attempt 5 s ago, next attempt allowed in 25 s$/)
      assert.equal(server.requests, 1)
      clock.advance(25)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 2)
    })

    it('serves the stale set while the endpoint is down, up to max age plus staleIfErrorSeconds', async (t) => {
      const { server, client, clock, start } = await setup(t, jwksOf(keyA), {
        maxAgeSeconds: 600,
        staleIfErrorSeconds: 3600,
      })
      await client.select('key-a', 'ES256')
      server.setHandler(serveStatus(503))

      clock.set(start + 600)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 2)
      assert.equal(client.state().lastError?.at, start + 600)

      clock.advance(10)
      assert.deepEqual(
        syncKids(client.select('key-a', 'ES256')),
        ['key-a'],
        'within the cooldown: no fetch',
      )
      assert.equal(server.requests, 2)

      clock.set(start + 4199)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(server.requests, 3)

      // Past the bound, but the last attempt (at +4199) is less than a cooldown old: no fetch.
      clock.set(start + 4200)
      const within = thrownSync(() => client.select('key-a', 'ES256'))
      assert.equal(within.code, 'jwks_unavailable')
      assert.equal(within.expected, '2xx')
      assert.equal(within.actual, 'HTTP 503')
      assert.equal(within.hint, undefined)
      assert.match(
        within.message,
        /: HTTP 503; last attempt 1 s ago, next attempt allowed in 29 s$/,
      )
      assert.equal(server.requests, 3)

      clock.set(start + 4229)
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(error.expected, '2xx')
      assert.equal(error.actual, 'HTTP 503')
      assert.equal(error.hint, undefined)
      assert.equal(server.requests, 4)
      assert.equal(client.state().fetches, 1)

      server.setHandler(serveJson(jwksOf(keyA)))
      clock.advance(30)
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.equal(client.state().fetches, 2)
    })

    it('reports an unexpected failure during a fetch as jwks_unavailable', async (t) => {
      const server = await startLoopbackServer(t, serveJson(jwksOf(keyA)))
      let calls = 0
      const clock = (): number => {
        calls += 1
        // The third reading is the one taken after the import: make it fail once.
        if (calls === 3) throw new Error('clock source lost')
        return 1_800_000_000
      }
      const client = createJwksClient({ source: 'idp', jwksUri: server.url('/jwks'), clock })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'jwks_unavailable')
      assert.equal(error.message, 'could not load the key set of idp: clock source lost')
      assert.equal(error.expected, undefined)
      assert.equal(error.actual, undefined)
      assert.equal(error.hint, undefined)
      assert.equal(client.state().lastError?.code, 'jwks_unavailable')
    })
  })

  describe('refresh', () => {
    it('fetches on demand, ignoring the cooldown, and shares a fetch in flight', async (t) => {
      const { server, client } = await setup(t)
      await client.select('key-a', 'ES256')
      server.setHandler(serveJson(jwksOf(keyB)))
      await Promise.all([client.refresh(), client.refresh()])
      assert.equal(server.requests, 2)
      assert.deepEqual(syncKids(client.select('key-b', 'ES256')), ['key-b'])
    })

    it('rejects when the on-demand fetch fails but keeps serving the set', async (t) => {
      const { server, client } = await setup(t)
      await client.select('key-a', 'ES256')
      server.setHandler(serveStatus(500))
      await assert.rejects(client.refresh(), { code: 'jwks_unavailable', actual: 'HTTP 500' })
      assert.deepEqual(syncKids(client.select('key-a', 'ES256')), ['key-a'])
    })
  })

  describe('discovery', () => {
    /** A loopback issuer serving its discovery document and `/jwks`. */
    async function issuer(
      t: TestContext,
      documentOf: (origin: string) => unknown = (origin) => ({
        issuer: origin,
        jwks_uri: `${origin}/jwks`,
      }),
    ): Promise<{ server: LoopbackServer; setJwks: (body: unknown) => void }> {
      let jwks: unknown = jwksOf(keyA)
      let origin = ''
      const server = await startLoopbackServer(t, (req, res) =>
        sendJson(res, req.url === wellKnown ? documentOf(origin) : jwks),
      )
      origin = server.origin
      return {
        server,
        setJwks: (body) => {
          jwks = body
        },
      }
    }

    it('discovers the jwks_uri, then fetches the key set from it', async (t) => {
      const { server } = await issuer(t)
      const clock = steppableClock()
      const client = createJwksClient({
        source: server.origin,
        discovery: server.origin,
        clock: clock.now,
      })
      assert.deepEqual(client.state(), { kind: 'discovery', kids: [], rejected: [], fetches: 0 })
      assert.deepEqual(await asyncKids(client.select('key-a', 'ES256')), ['key-a'])
      assert.deepEqual(server.paths, [wellKnown, '/jwks'])
      assert.equal(client.state().kind, 'discovery')
      assert.equal(client.state().jwksUri, server.url('/jwks'))
    })

    it('reuses the discovered jwks_uri for an unknown-kid refresh and re-discovers after expiry', async (t) => {
      const { server, setJwks } = await issuer(t)
      const clock = steppableClock()
      const client = createJwksClient({
        source: server.origin,
        discovery: server.origin,
        clock: clock.now,
      })
      await client.select('key-a', 'ES256')
      setJwks(jwksOf(keyA, keyB))
      clock.advance(30)
      assert.deepEqual(await asyncKids(client.select('key-b', 'ES256')), ['key-b'])
      assert.deepEqual(server.paths, [wellKnown, '/jwks', '/jwks'])
      clock.advance(600)
      assert.deepEqual(await asyncKids(client.select('key-b', 'ES256')), ['key-b'])
      assert.deepEqual(server.paths, [wellKnown, '/jwks', '/jwks', wellKnown, '/jwks'])
      await client.refresh()
      assert.deepEqual(server.paths.slice(5), [wellKnown, '/jwks'])
    })

    it('rejects a discovery document whose issuer differs by a trailing slash', async (t) => {
      const { server } = await issuer(t, (origin) => ({
        issuer: `${origin}/`,
        jwks_uri: `${origin}/jwks`,
      }))
      const client = createJwksClient({
        source: server.origin,
        discovery: server.origin,
        clock: () => 0,
      })
      const error = await rejection(() => client.select('key-a', 'ES256'))
      assert.equal(error.code, 'discovery_mismatch')
      assert.equal(error.check, 'discovery')
      assert.equal(error.expected, server.origin)
      assert.equal(error.actual, `${server.origin}/`)
      assert.equal(error.hint, 'trailing_slash')
      assert.match(error.message, /: the values differ only by a trailing slash$/)
      assert.deepEqual(server.paths, [wellKnown])
      assert.equal(client.state().lastError?.code, 'discovery_mismatch')
    })
  })

  describe('options', () => {
    const clock = (): number => 0

    it('requires exactly one of jwksUri and discovery', () => {
      const both = {
        source: 'idp',
        clock,
        jwksUri: 'https://a.example/jwks',
        discovery: 'https://a.example',
      }
      assert.throws(() => createJwksClient(both as unknown as JwksClientOptions), {
        code: 'invalid_options',
        message:
          'invalid JWKS client options: discovery: exactly one of jwksUri and discovery is allowed, got both',
        problems: [
          {
            path: 'discovery',
            message: 'exactly one of jwksUri and discovery is allowed, got both',
          },
        ],
      })
      const neither = { source: 'idp', clock }
      assert.throws(() => createJwksClient(neither as unknown as JwksClientOptions), {
        code: 'invalid_options',
        problems: [
          {
            path: 'jwksUri',
            message: 'exactly one of jwksUri and discovery is required, got neither',
          },
        ],
      })
    })

    it('lists every problem with its path', () => {
      const options = {
        source: '',
        clock: 5,
        jwksUri: 'ftp://a.example/jwks',
        timeoutMs: 0,
        maxBytes: '100',
        maxAgeSeconds: Number.NaN,
        cooldownSeconds: -1,
        staleIfErrorSeconds: Number.POSITIVE_INFINITY,
      }
      assert.throws(() => createJwksClient(options as unknown as JwksClientOptions), {
        code: 'invalid_options',
        check: 'options',
        problems: [
          { path: 'source', message: 'must be a non-empty string, got ""' },
          { path: 'clock', message: 'must be a function returning epoch seconds, got 5' },
          { path: 'jwksUri', message: 'must be an http or https URL, got "ftp://a.example/jwks"' },
          { path: 'timeoutMs', message: 'must be a positive number, got 0' },
          { path: 'maxBytes', message: 'must be a positive number, got "100"' },
          { path: 'maxAgeSeconds', message: 'must be a non-negative number, got NaN' },
          { path: 'cooldownSeconds', message: 'must be a non-negative number, got -1' },
          { path: 'staleIfErrorSeconds', message: 'must be a non-negative number, got Infinity' },
        ],
      })
    })

    it('rejects a discovery issuer that is not a URL and options that are not an object', () => {
      assert.throws(
        () => createJwksClient({ source: 'idp', clock, discovery: 'idp.example.com' }),
        {
          code: 'invalid_options',
          problems: [
            { path: 'discovery', message: 'must be an http or https URL, got "idp.example.com"' },
          ],
        },
      )
      assert.throws(() => createJwksClient(null as unknown as JwksClientOptions), {
        code: 'invalid_options',
        problems: [
          { path: 'source', message: 'must be a non-empty string, got undefined' },
          { path: 'clock', message: 'must be a function returning epoch seconds, got undefined' },
          {
            path: 'jwksUri',
            message: 'exactly one of jwksUri and discovery is required, got neither',
          },
        ],
      })
    })
  })
})
