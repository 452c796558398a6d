import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { closedPortOrigin, sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { fetchJson } from './bounded-fetch.ts'

const limits = { timeoutMs: 5000, maxBytes: 512 * 1024, what: 'JWKS' }

/** Awaits a rejection and returns it as a TesseraError (failing the test otherwise). */
async function rejection(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a rejection')
}

describe('fetchJson', () => {
  it('returns the parsed body and the response headers, asking for JSON', async (t) => {
    let accept: string | undefined
    const server = await startLoopbackServer(t, (req, res) => {
      accept = req.headers.accept
      sendJson(res, { keys: [] }, 200, { 'cache-control': 'max-age=60' })
    })
    const { body, headers } = await fetchJson(server.url('/jwks'), limits)
    assert.deepEqual(body, { keys: [] })
    assert.equal(headers.get('cache-control'), 'max-age=60')
    assert.equal(accept, 'application/json')
  })

  it('follows redirects', async (t) => {
    const server = await startLoopbackServer(t, (req, res) => {
      if (req.url === '/old') {
        res.writeHead(302, { location: '/new' })
        res.end()
      } else sendJson(res, { moved: true })
    })
    const { body } = await fetchJson(server.url('/old'), limits)
    assert.deepEqual(body, { moved: true })
    assert.deepEqual(server.paths, ['/old', '/new'])
  })

  it('rejects a non-2xx status as jwks_unavailable naming the status', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) =>
      sendJson(res, { error: 'down' }, 503),
    )
    const url = server.url('/jwks')
    const error = await rejection(fetchJson(url, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(error.check, 'jwks')
    assert.equal(error.message, `could not fetch JWKS ${JSON.stringify(url)}: HTTP 503`)
    assert.equal(error.expected, '2xx')
    assert.equal(error.actual, 'HTTP 503')
    assert.equal(error.hint, undefined)
  })

  it('rejects an endpoint that never answers once the timeout passes', async (t) => {
    const server = await startLoopbackServer(t, () => {})
    const error = await rejection(fetchJson(server.url('/jwks'), { ...limits, timeoutMs: 200 }))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: timed out after 200 ms$/)
    assert.equal(error.expected, 'a response within 200 ms')
    assert.equal(error.actual, undefined)
    assert.equal(error.hint, undefined)
    assert.equal((error.cause as Error).name, 'TimeoutError')
  })

  it('applies the timeout to a body that stalls after the headers', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"keys": [')
    })
    const error = await rejection(fetchJson(server.url('/jwks'), { ...limits, timeoutMs: 200 }))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: timed out after 200 ms$/)
    assert.equal(error.expected, 'a response within 200 ms')
    assert.equal(error.actual, undefined)
  })

  it('stops reading a 50 MB streamed body as soon as it passes the cap', async (t) => {
    const total = 50 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 0x20)
    let written = 0
    let finished = false
    let closed: Promise<void> = Promise.resolve()
    const server = await startLoopbackServer(t, (_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()))
      res.on('finish', () => {
        finished = true
      })
      res.writeHead(200, { 'content-type': 'application/json' })
      const pump = (): void => {
        while (written < total && !res.destroyed) {
          written += chunk.length
          // Respect backpressure, so `written` is what the client could actually have pulled.
          if (!res.write(chunk)) {
            res.once('drain', pump)
            return
          }
        }
        if (written >= total) res.end()
      }
      pump()
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: larger than 524288 bytes$/)
    assert.equal(error.expected, 'at most 524288 bytes')
    assert.equal(error.actual, 'more than 524288 bytes')
    assert.equal(error.hint, undefined)
    await closed
    assert.equal(finished, false, 'the server must not have been able to send the whole body')
    assert.ok(written < total, `the server wrote ${written} of ${total} bytes`)
  })

  it('refuses a declared Content-Length over the cap without reading the body', async (t) => {
    let closed: Promise<void> = Promise.resolve()
    const server = await startLoopbackServer(t, (_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '10000000' })
      // Never finish: reading the body would hang until the (long) timeout.
      res.write('{"keys": [')
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: larger than 524288 bytes \(Content-Length 10000000\)$/)
    assert.equal(error.expected, 'at most 524288 bytes')
    assert.equal(error.actual, '10000000 bytes')
    assert.equal(error.hint, undefined)
    await closed
  })

  it('rejects a body that is not JSON, showing it redacted', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end('<html>captive portal</html>')
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: not JSON$/)
    assert.equal(error.expected, 'a JSON document')
    assert.equal(error.actual, '<html>captive portal</html>')
    assert.equal(error.hint, undefined)
    assert.ok(error.cause instanceof SyntaxError)
  })

  it('rejects a body that is not UTF-8 as not JSON', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: not JSON$/)
    assert.equal(error.expected, 'a JSON document')
    assert.equal(error.actual, 'invalid UTF-8')
    assert.equal(error.hint, undefined)
  })

  it('rejects an empty 204 response as not JSON', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(204)
      res.end()
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(error.expected, 'a JSON document')
    assert.equal(error.actual, '')
  })

  it('names a refused connection', async () => {
    const url = `${await closedPortOrigin()}/jwks`
    const error = await rejection(fetchJson(url, limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(error.message, `could not fetch JWKS ${JSON.stringify(url)}: connection refused`)
    assert.equal(error.expected, undefined)
    assert.equal(error.actual, undefined)
    assert.equal(error.hint, undefined)
    assert.ok(error.cause instanceof TypeError)
  })

  it('names a connection the server closes without answering', async (t) => {
    const server = await startLoopbackServer(t, (req) => req.socket.destroy())
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: connection closed$/)
  })

  it('names a URL that cannot be parsed', async () => {
    const error = await rejection(fetchJson('http://', limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.equal(error.message, 'could not fetch JWKS "http://": not a valid URL')
  })

  it('reports an unfamiliar network failure with its code', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(200, { 'x-padding': 'a'.repeat(70_000) })
      res.end('{}')
    })
    const error = await rejection(fetchJson(server.url('/jwks'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: network error \(UND_ERR_HEADERS_OVERFLOW\)$/)
  })

  it('reports a network failure without a code by its message', async (t) => {
    const server = await startLoopbackServer(t, (_req, res) => {
      res.writeHead(302, { location: '/loop' })
      res.end()
    })
    const error = await rejection(fetchJson(server.url('/loop'), limits))
    assert.equal(error.code, 'jwks_unavailable')
    assert.match(error.message, /: network error: redirect count exceeded$/)
  })
})
