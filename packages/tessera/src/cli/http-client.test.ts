import assert from 'node:assert/strict'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, it, type TestContext } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { isConnectionFailure, maxResponseBytes, requestJson } from './http-client.ts'

async function serve(t: TestContext, handler: RequestListener): Promise<string> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const failsWith = (message: string) => (error: unknown) =>
  isConnectionFailure(error) && error.message.endsWith(message)

describe('requestJson', () => {
  it('returns the status and JSON body of any answer, sending JSON or a form', async (t) => {
    const seen: string[] = []
    const url = await serve(t, (req, res) => {
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', () => {
        seen.push(`${req.method} ${req.headers['content-type']} ${body}`)
        res.writeHead(418, { 'content-type': 'application/json' })
        res.end('{"error":"teapot"}')
      })
    })
    assert.deepEqual(await requestJson(url, { json: { a: 1 } }), {
      status: 418,
      body: { error: 'teapot' },
    })
    await requestJson(url, { form: new URLSearchParams({ b: '2 3' }) })
    await requestJson(url)
    assert.deepEqual(seen, [
      'POST application/json {"a":1}',
      'POST application/x-www-form-urlencoded b=2+3',
      'GET undefined ',
    ])
  })

  it('refuses a declared or streamed body over the cap without buffering it', async (t) => {
    const declared = await serve(t, (_req, res) => {
      res.writeHead(200, { 'content-length': String(maxResponseBytes + 1) })
      res.write('{')
    })
    await assert.rejects(
      requestJson(declared),
      failsWith(`response is larger than ${maxResponseBytes} bytes`),
    )
    const streamed = await serve(t, (_req, res) => {
      res.writeHead(200)
      res.end('x'.repeat(maxResponseBytes + 1))
    })
    await assert.rejects(
      requestJson(streamed),
      failsWith(`response is larger than ${maxResponseBytes} bytes`),
    )
  })

  it('refuses a body that is not UTF-8 or not JSON', async (t) => {
    const latin = await serve(t, (_req, res) => {
      res.end(Buffer.from([0xff, 0xfe]))
    })
    await assert.rejects(requestJson(latin), failsWith('HTTP 200 with a body that is not UTF-8'))
  })

  it('refuses to follow a redirect, so a token goes only where the user said', async (t) => {
    const url = await serve(t, (_req, res) => {
      res.writeHead(307, { location: 'http://127.0.0.1:1/elsewhere' })
      res.end()
    })
    await assert.rejects(
      requestJson(url, { json: {} }),
      failsWith('the server answered with a redirect; pass the final URL'),
    )
  })

  it('gives up at the deadline', async (t) => {
    const url = await serve(t, () => {})
    await assert.rejects(requestJson(url, { timeoutMs: 0 }), failsWith('no answer within 0 ms'))
  })

  it('names only its own failures as connection failures', () => {
    assert.equal(
      isConnectionFailure(new TesseraError({ code: 'internal_error', message: 'x' })),
      false,
    )
    assert.equal(isConnectionFailure(new Error('x')), false)
  })
})
