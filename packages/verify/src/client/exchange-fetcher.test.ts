import assert from 'node:assert/strict'
import { createPublicKey, verify } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, it } from 'node:test'
import { closedPortOrigin, sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import { generateDpopKeyPair } from '../dpop/generate-key-pair.ts'
import type { TesseraError } from '../explain/tessera-error.ts'
import { type ExchangeFetcherOptions, tesseraExchangeFetcher } from './exchange-fetcher.ts'

const subjectToken = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjaSJ9.c3ViamVjdC1zaWduYXR1cmU'
const actorToken = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhY3RvciJ9.YWN0b3Itc2lnbmF0dXJl'
const issued = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJpc3N1ZWQifQ.aXNzdWVkLXNpZ25hdHVyZQ'

interface Seen {
  readonly headers: IncomingMessage['headers']
  readonly form: URLSearchParams
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** A loopback token endpoint: records each request, answers with `answer`. */
async function endpoint(
  t: Parameters<typeof startLoopbackServer>[0],
  answer: (seen: Seen, index: number) => (res: ServerResponse) => void,
) {
  const seen: Seen[] = []
  const server = await startLoopbackServer(t, (req, res) => {
    void readBody(req).then((text) => {
      const entry = { headers: req.headers, form: new URLSearchParams(text) }
      seen.push(entry)
      answer(entry, seen.length - 1)(res)
    })
  })
  return { seen, url: server.url('/oauth2/token'), server }
}

const success =
  (extra: Record<string, unknown> = {}) =>
  () =>
  (res: ServerResponse) =>
    sendJson(res, {
      access_token: issued,
      issued_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_type: 'Bearer',
      expires_in: 300,
      ...extra,
    })

const base = (url: string): ExchangeFetcherOptions => ({
  tokenUrl: url,
  subjectToken: () => subjectToken,
  audience: 'https://payments.example.org',
  clock: () => 1_800_000_000,
})

describe('tesseraExchangeFetcher', () => {
  it('posts an RFC 8693 form and turns expires_in into expiresAt', async (t) => {
    const { seen, url } = await endpoint(t, success())
    const fetchToken = tesseraExchangeFetcher({
      ...base(url),
      scope: ['payments.read', 'payments.write'],
      actorToken: async () => actorToken,
    })
    assert.deepEqual(await fetchToken(), { token: issued, expiresAt: 1_800_000_300 })
    const [request] = seen
    assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded')
    assert.equal(request?.headers.accept, 'application/json')
    assert.equal(request?.headers.dpop, undefined)
    assert.deepEqual(Object.fromEntries(request?.form ?? []), {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      audience: 'https://payments.example.org',
      scope: 'payments.read payments.write',
      actor_token: actorToken,
      actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    })
  })

  it("maps an error body's code into a TesseraError naming the status, without the tokens", async (t) => {
    const { url } = await endpoint(
      t,
      () => (res) =>
        sendJson(
          res,
          {
            error: 'invalid_target',
            error_description: 'no trust policy allows this identity',
            code: 'no_matching_policy',
            hint: 'trailing_slash',
            correlation_id: 'c-1',
          },
          400,
        ),
    )
    await assert.rejects(tesseraExchangeFetcher(base(url))(), (error: TesseraError) => {
      assert.equal(error.code, 'no_matching_policy')
      assert.equal(error.hint, 'trailing_slash')
      assert.match(error.message, /answered HTTP 400 "invalid_target": no trust policy/)
      assert.ok(!error.message.includes(subjectToken))
      return true
    })
  })

  it('answers upstream_unavailable for an unknown code or a body that is not JSON', async (t) => {
    const { url, server } = await endpoint(
      t,
      () => (res) =>
        sendJson(res, { error: 'server_error', code: 'no_such_code', hint: 'case' }, 500),
    )
    const origin = new URL(url).origin
    await assert.rejects(tesseraExchangeFetcher(base(url))(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.equal(error.message, `token exchange at ${origin} answered HTTP 500 "server_error"`)
      assert.equal(error.actual, 'HTTP 500')
      assert.equal(error.hint, undefined, "a hint only comes with one of Tessera's codes")
      return true
    })
    server.setHandler((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html>bad gateway</html>')
    })
    await assert.rejects(tesseraExchangeFetcher(base(url))(), {
      code: 'upstream_unavailable',
      message: `token exchange at ${origin} answered HTTP 502`,
    })
    // Tessera's own code wins over the status, whatever it is.
    server.setHandler((_req, res) => {
      sendJson(res, { error: 'temporarily_unavailable', code: 'jwks_unavailable' }, 503)
    })
    await assert.rejects(tesseraExchangeFetcher(base(url))(), {
      code: 'jwks_unavailable',
      message: /answered HTTP 503 "temporarily_unavailable"$/,
    })
  })

  it('names the origin of the token URL, never its path, query or userinfo', async (t) => {
    const { server } = await endpoint(t, () => (res) => sendJson(res, {}, 500))
    const secret = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJxIn0.cXVlcnk'
    const url = new URL(server.url(`/oauth2/token?leak=${secret}`))
    await assert.rejects(tesseraExchangeFetcher(base(url.href))(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.equal(error.message, `token exchange at ${url.origin} answered HTTP 500`)
      assert.ok(!JSON.stringify(error).includes(secret))
      return true
    })
    // fetch refuses userinfo with a message quoting the whole URL: only its origin is kept.
    url.username = 'client'
    url.password = 'hunter2'
    await assert.rejects(tesseraExchangeFetcher(base(url.href))(), (error: TesseraError) => {
      assert.equal(error.code, 'upstream_unavailable')
      assert.match(
        error.message,
        /^token exchange at http:\/\/127\.0\.0\.1:\d+ failed: network error: /,
      )
      assert.ok(error.message.endsWith(`credentials: ${url.origin}`), error.message)
      assert.ok(!error.message.includes('hunter2') && !error.message.includes('leak='))
      return true
    })
  })

  it('refuses a 2xx that is not a JSON object with a usable token', async (t) => {
    const cases: [(res: ServerResponse) => void, RegExp][] = [
      [
        (res) => {
          res.writeHead(200, { 'content-type': 'text/plain' })
          res.end(issued)
        },
        /content-type "text\/plain"/,
      ],
      [
        (res) => {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.end('{"access_token":')
        },
        /not valid JSON/,
      ],
      [(res) => sendJson(res, [issued]), /not a JSON object/],
      [success({ access_token: undefined })(), /usable access_token/],
      [success({ access_token: `${issued} x` })(), /usable access_token/],
      [success({ expires_in: '300' })(), /usable expires_in/],
      [success({ expires_in: 0 })(), /usable expires_in/],
      [success({ token_type: 'mac' })(), /usable token_type/],
    ]
    let index = 0
    const { url } = await endpoint(t, () => (res) => cases[index]?.[0](res))
    for (; index < cases.length; index++) {
      await assert.rejects(tesseraExchangeFetcher(base(url))(), (error: TesseraError) => {
        assert.equal(error.code, 'upstream_unavailable')
        assert.match(error.message, /^token exchange at http:\/\/127\.0\.0\.1:\d+ /)
        assert.match(error.message, cases[index]?.[1] as RegExp)
        assert.ok(!JSON.stringify(error).includes(issued), 'the issued token is never shown')
        return true
      })
    }
  })

  it('accepts a DPoP token type and an application/*+json answer', async (t) => {
    const { url } = await endpoint(t, () => (res) => {
      const text = JSON.stringify({ access_token: issued, token_type: 'DPoP', expires_in: 60 })
      res.writeHead(200, { 'content-type': 'application/token+json; charset=utf-8' })
      res.end(text)
    })
    assert.deepEqual(await tesseraExchangeFetcher(base(url))(), {
      token: issued,
      expiresAt: 1_800_000_060,
    })
  })

  it('refuses an answer larger than maxResponseBytes, declared or streamed', async (t) => {
    const big = JSON.stringify({ access_token: issued, expires_in: 60, pad: 'x'.repeat(2000) })
    const { url, server } = await endpoint(t, () => (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': big.length })
      res.end(big)
    })
    const fetchToken = tesseraExchangeFetcher({ ...base(url), maxResponseBytes: 1024 })
    await assert.rejects(fetchToken(), {
      code: 'upstream_unavailable',
      message: /larger than 1024 bytes/,
    })
    server.setHandler((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write(big.slice(0, 1000))
      res.end(big.slice(1000))
    })
    await assert.rejects(fetchToken(), {
      code: 'upstream_unavailable',
      message: /larger than 1024/,
    })
  })

  it('cuts a hanging endpoint at timeoutMs and does not follow redirects', async (t) => {
    const { url, server } = await endpoint(t, () => () => undefined)
    await assert.rejects(
      tesseraExchangeFetcher({ ...base(url), timeoutMs: 50 })(),
      (error: TesseraError) => {
        assert.equal(error.code, 'upstream_unavailable')
        assert.equal(
          error.message,
          `token exchange at ${new URL(url).origin} failed: no answer within 50 ms`,
        )
        assert.equal(error.expected, 'an answer within 50 ms')
        return true
      },
    )
    server.setHandler((req, res) => {
      req.resume()
      res.writeHead(307, { location: server.url('/elsewhere') })
      res.end()
    })
    await assert.rejects(tesseraExchangeFetcher(base(url))(), {
      code: 'upstream_unavailable',
      message: /answered HTTP 307$/,
    })
    assert.equal(server.requestsTo('/elsewhere'), 0)
  })

  it('reports a refused connection and an attempt aborted by the token source', async (t) => {
    const refused = `${await closedPortOrigin()}/oauth2/token`
    await assert.rejects(tesseraExchangeFetcher(base(refused))(), {
      code: 'upstream_unavailable',
      message: `token exchange at ${new URL(refused).origin} failed: network error (ECONNREFUSED)`,
    })
    const { url } = await endpoint(t, success())
    const aborted = new AbortController()
    aborted.abort()
    await assert.rejects(tesseraExchangeFetcher(base(url))({ signal: aborted.signal }), {
      code: 'upstream_unavailable',
      message: /failed: aborted$/,
    })
  })

  it('sends a DPoP proof for the token URL and retries once with the nonce it asks for', async (t) => {
    const key = generateDpopKeyPair()
    const { seen, url } = await endpoint(t, (request, index) => (res) => {
      const claims = proofClaims(request.headers.dpop as string)
      if (index === 0 || (index === 2 && claims.nonce !== 'n-1')) {
        sendJson(res, { error: 'use_dpop_nonce', code: 'use_dpop_nonce' }, 400, {
          'dpop-nonce': index === 0 ? 'n-1' : 'n-2',
        })
      } else success({ token_type: 'DPoP' })()(res)
    })
    const fetchToken = tesseraExchangeFetcher({ ...base(url), dpopKey: key })
    assert.equal((await fetchToken()).token, issued)
    assert.equal(seen.length, 2)
    const first = proofClaims(seen[0]?.headers.dpop as string)
    const second = proofClaims(seen[1]?.headers.dpop as string)
    assert.equal(first.htm, 'POST')
    assert.equal(first.htu, url)
    assert.equal(first.iat, 1_800_000_000)
    assert.equal(first.nonce, undefined)
    assert.equal(second.nonce, 'n-1')
    assert.notEqual(first.jti, second.jti)
    assert.ok(proofVerifies(seen[1]?.headers.dpop as string))
    // The remembered nonce goes with the next request.
    await fetchToken()
    assert.equal(proofClaims(seen[2]?.headers.dpop as string).nonce, 'n-1')
  })

  it('gives up with use_dpop_nonce when the retry is refused too', async (t) => {
    const { seen, url } = await endpoint(
      t,
      (_request, index) => (res) =>
        sendJson(res, { error: 'use_dpop_nonce', code: 'use_dpop_nonce' }, 400, {
          'dpop-nonce': `n-${index}`,
        }),
    )
    await assert.rejects(
      tesseraExchangeFetcher({ ...base(url), dpopKey: generateDpopKeyPair() })(),
      {
        code: 'use_dpop_nonce',
      },
    )
    assert.equal(seen.length, 2)
  })

  it('refuses invalid options, listing every problem', () => {
    assert.throws(
      () =>
        tesseraExchangeFetcher({
          tokenUrl: 'ftp://tessera.test/token',
          subjectToken: 'not a function',
          audience: '',
          scope: ['ok', 'two words'],
          timeoutMs: 0,
          maxResponseBytes: 1.5,
          dpopKey: {},
        } as unknown as ExchangeFetcherOptions),
      (error: TesseraError) => {
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          [
            'tokenUrl',
            'subjectToken',
            'audience',
            'timeoutMs',
            'maxResponseBytes',
            'scope[1]',
            'dpopKey',
          ],
        )
        return true
      },
    )
    assert.throws(
      () => tesseraExchangeFetcher({ ...base('not a url'), scope: 'a' as unknown as string[] }),
      {
        code: 'invalid_options',
        message: /tokenUrl must be an absolute http\(s\) URL; scope must be an array/,
      },
    )
  })
})

function proofClaims(proof: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(proof.split('.')[1] as string, 'base64url').toString('utf8'))
}

function proofVerifies(proof: string): boolean {
  const [header, claims, signature] = proof.split('.') as [string, string, string]
  const jwk = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).jwk
  return verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  )
}
