import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { describe, it } from 'node:test'
import { closedPortOrigin, sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import type { TesseraError } from '../explain/tessera-error.ts'
import { type IdentityFetcherOptions, tesseraIdentityFetcher } from './identity-fetcher.ts'

const upstream = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzYSJ9.dXBzdHJlYW0tc2lnbmF0dXJl'
const identity = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmUifQ.aWRlbnRpdHktc2lnbmF0dXJl'

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function identityEndpoint(t: Parameters<typeof startLoopbackServer>[0], status = 200) {
  const bodies: unknown[] = []
  const contentTypes: (string | undefined)[] = []
  const server = await startLoopbackServer(t, (req, res) => {
    contentTypes.push(req.headers['content-type'])
    void readJson(req).then((body) => {
      bodies.push(body)
      if (status === 200)
        sendJson(res, { token: identity, expires_in: 600, sub: 'spiffe://example.org/payments' })
      else
        sendJson(
          res,
          { error: 'invalid_grant', code: 'join_token_invalid', correlation_id: 'c-1' },
          status,
        )
    })
  })
  return { bodies, contentTypes, url: server.url('/v1/identity/token'), server }
}

const base = (url: string): IdentityFetcherOptions => ({
  url,
  attestation: () => ({ token: upstream }),
  audience: 'https://payments.example.org',
  clock: () => 1_800_000_000,
})

describe('tesseraIdentityFetcher', () => {
  it('posts { token, audience, ttlSeconds } as JSON and reads { token, expires_in }', async (t) => {
    const { bodies, contentTypes, url } = await identityEndpoint(t)
    const fetchToken = tesseraIdentityFetcher({ ...base(url), ttlSeconds: 600 })
    assert.deepEqual(await fetchToken(), { token: identity, expiresAt: 1_800_000_600 })
    assert.deepEqual(bodies, [
      { token: upstream, audience: 'https://payments.example.org', ttlSeconds: 600 },
    ])
    assert.equal(contentTypes[0], 'application/json')
  })

  it('sends a join token as joinToken', async (t) => {
    const { bodies, url } = await identityEndpoint(t)
    await tesseraIdentityFetcher({
      ...base(url),
      attestation: async () => ({ joinToken: 'jt-1' }),
    })()
    assert.deepEqual(bodies, [{ joinToken: 'jt-1', audience: 'https://payments.example.org' }])
  })

  it("rejects with the server's code", async (t) => {
    const { url } = await identityEndpoint(t, 401)
    await assert.rejects(tesseraIdentityFetcher(base(url))(), (error: TesseraError) => {
      assert.equal(error.code, 'join_token_invalid')
      assert.match(error.message, /identity token request at .* answered HTTP 401/)
      return true
    })
  })

  it('answers upstream_unavailable naming the origin when Tessera is away or not Tessera', async (t) => {
    const refused = `${await closedPortOrigin()}/v1/identity/token`
    await assert.rejects(tesseraIdentityFetcher(base(refused))(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.equal(
        error.message,
        `identity token request at ${new URL(refused).origin} failed: network error (ECONNREFUSED)`,
      )
      assert.ok(!JSON.stringify(error).includes(upstream))
      return true
    })
    const { url, server } = await identityEndpoint(t)
    const origin = new URL(url).origin
    server.setHandler((req, res) => {
      req.resume()
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('upstream connect error')
    })
    await assert.rejects(tesseraIdentityFetcher(base(url))(), {
      code: 'upstream_unavailable',
      message: `identity token request at ${origin} answered HTTP 503`,
      actual: 'HTTP 503',
    })
    // An RFC 8693 answer is not what the identity endpoint answers.
    server.setHandler((req, res) => {
      req.resume()
      sendJson(res, { access_token: identity, expires_in: 600 })
    })
    await assert.rejects(tesseraIdentityFetcher(base(url))(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.match(error.message, /^identity token request at http:\/\/127\.0\.0\.1:\d+ answered/)
      assert.match(error.message, /without a usable token/)
      assert.ok(!JSON.stringify(error).includes(identity))
      return true
    })
  })

  it('refuses an attestation with neither or both tokens, sending nothing', async (t) => {
    const { bodies, url } = await identityEndpoint(t)
    for (const attestation of [{}, { joinToken: 'jt', token: upstream }, { token: '' }, null]) {
      const fetchToken = tesseraIdentityFetcher({
        ...base(url),
        attestation: () => attestation as unknown as { token: string },
      })
      await assert.rejects(fetchToken(), (error: TesseraError) => {
        assert.equal(error.code, 'invalid_request')
        assert.ok(!error.message.includes(upstream))
        return true
      })
    }
    assert.equal(bodies.length, 0)
  })

  it('refuses invalid options, listing every problem', () => {
    assert.throws(
      () =>
        tesseraIdentityFetcher({
          url: 'tessera.test/v1/identity/token',
          audience: 7,
          ttlSeconds: -5,
          fetch: 'no',
        } as unknown as IdentityFetcherOptions),
      (error: TesseraError) => {
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          ['url', 'attestation', 'audience', 'ttlSeconds', 'fetch'],
        )
        return true
      },
    )
  })
})
