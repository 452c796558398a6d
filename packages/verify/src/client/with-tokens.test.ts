import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { TokenSource } from './token-source.ts'
import { withTokens } from './with-tokens.ts'

describe('withTokens', () => {
  it('sets Authorization: Bearer from the source on every request, keeping other headers', async (t) => {
    const seen: Record<string, string | undefined>[] = []
    const server = await startLoopbackServer(t, (req, res) => {
      seen.push({
        authorization: req.headers.authorization,
        'x-trace': req.headers['x-trace'] as string,
      })
      req.resume()
      sendJson(res, { ok: true })
    })
    let n = 0
    const source: TokenSource = { token: async () => `tok-${++n}` }
    const call = withTokens(source)
    assert.equal(
      (await call(server.url('/a'), { headers: { authorization: 'Basic x', 'x-trace': '1' } }))
        .status,
      200,
    )
    await call(new Request(server.url('/b'), { headers: { 'x-trace': '2' } }))
    await call(new URL(server.url('/c')), { method: 'POST', body: 'hello' })
    assert.deepEqual(seen, [
      { authorization: 'Bearer tok-1', 'x-trace': '1' },
      { authorization: 'Bearer tok-2', 'x-trace': '2' },
      { authorization: 'Bearer tok-3', 'x-trace': undefined },
    ])
  })

  it("rejects with the source's error and sends nothing when there is no token", async () => {
    const sent: unknown[] = []
    const failing: TokenSource = {
      token: async () => {
        throw new TesseraError({ code: 'jwks_unavailable', message: 'no token' })
      },
    }
    const call = withTokens(failing, async (input) => {
      sent.push(input)
      return new Response('')
    })
    await assert.rejects(call('http://127.0.0.1:1/x'), { code: 'jwks_unavailable' })
    assert.deepEqual(sent, [])
  })
})
