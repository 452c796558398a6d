import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it, type TestContext } from 'node:test'
import Fastify from 'fastify'
import { clock, now, subject, token, verifier } from '../../test/adapters/support.ts'
import { sendJson, startLoopbackServer } from '../../test/support/http-server.ts'
import { tesseraAuth } from '../adapters/fastify.ts'
import { generateDpopKeyPair } from '../dpop/generate-key-pair.ts'
import { createDpopNonceSource } from '../dpop/nonce-source.ts'
import type { DpopNonceSource } from '../dpop/types.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { jwkThumbprint } from '../keys/import-jwk.ts'
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

const dpopKey = generateDpopKeyPair('ES256')
const jkt = jwkThumbprint(dpopKey.publicJwk as Record<string, unknown>)

interface Seen {
  readonly method: string
  readonly url: string
  readonly authorization: string | undefined
  readonly dpop: string | undefined
}

/** A real Fastify server behind @tessera/verify/fastify with DPoP on; it records what it got. */
async function dpopServer(t: TestContext, nonce?: DpopNonceSource) {
  const seen: Seen[] = []
  const app = Fastify()
  app.addHook('onRequest', async (request) => {
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.authorization,
      dpop: request.headers.dpop as string | undefined,
    })
  })
  await app.register(tesseraAuth, {
    verifier: verifier({ dpop: nonce === undefined ? {} : { nonce } }),
  })
  const answer = async (request: { tessera: unknown }) => request.tessera
  app.get('/orders', answer)
  app.post('/orders', answer)
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  t.after(() => app.close())
  return { origin, seen }
}

/** The claims of a DPoP proof as sent. */
const proofClaims = (proof: string | undefined): Record<string, unknown> =>
  JSON.parse(Buffer.from(String(proof).split('.')[1] ?? '', 'base64url').toString('utf8'))

describe('withTokens with a DPoP key', () => {
  it('sends Authorization: DPoP and a fresh proof per request, accepted by the Fastify plugin', async (t) => {
    const { origin, seen } = await dpopServer(t)
    const bound = token({ cnf: { jkt } })
    const call = withTokens({ token: async () => bound }, { dpopKey, clock })
    const first = await call(`${origin}/orders?page=2#top`)
    assert.equal(first.status, 200)
    const result = (await first.json()) as Record<string, unknown>
    assert.equal(result.binding, 'dpop')
    assert.equal(result.dpopJkt, jkt)
    assert.equal((result.claims as Record<string, unknown>).sub, subject)
    const second = await call(new Request(`${origin}/orders`, { method: 'post', body: '{}' }))
    assert.equal(second.status, 200)
    const third = await call(new URL(`${origin}/orders`), { method: 'POST', body: 'x' })
    assert.equal(third.status, 200)

    assert.deepEqual(
      seen.map((s) => s.authorization),
      [`DPoP ${bound}`, `DPoP ${bound}`, `DPoP ${bound}`],
    )
    const proofs = seen.map((s) => proofClaims(s.dpop))
    assert.deepEqual(
      proofs.map((p) => [p.htm, p.htu, p.iat]),
      [
        ['GET', `${origin}/orders`, now],
        ['POST', `${origin}/orders`, now],
        ['POST', `${origin}/orders`, now],
      ],
    )
    // One proof per request: three distinct jti, each bound to the token by ath.
    assert.equal(new Set(proofs.map((p) => p.jti)).size, 3)
    const ath = createHash('sha256').update(bound).digest('base64url')
    assert.deepEqual(
      proofs.map((p) => p.ath),
      [ath, ath, ath],
    )
  })

  it('retries once with the DPoP-Nonce a 401 use_dpop_nonce hands out, then keeps using it', async (t) => {
    const nonces = createDpopNonceSource({ clock })
    const { origin, seen } = await dpopServer(t, nonces)
    const call = withTokens({ token: async () => token({ cnf: { jkt } }) }, { dpopKey, clock })
    assert.equal((await call(`${origin}/orders`)).status, 200)
    assert.equal(seen.length, 2) // refused without nonce, accepted with it
    assert.equal(proofClaims(seen[0]?.dpop).nonce, undefined)
    assert.equal(proofClaims(seen[1]?.dpop).nonce, await nonces.current())
    assert.equal((await call(`${origin}/orders`, { method: 'POST', body: 'again' })).status, 200)
    assert.equal(seen.length, 3) // the remembered nonce is used at once
  })

  it('does not resend a one-shot stream body: the use_dpop_nonce answer is returned', async (t) => {
    const { origin, seen } = await dpopServer(t, createDpopNonceSource({ clock }))
    const call = withTokens({ token: async () => token({ cnf: { jkt } }) }, { dpopKey, clock })
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{}'))
        controller.close()
      },
    })
    const answer = await call(`${origin}/orders`, { method: 'POST', body, duplex: 'half' })
    assert.equal(answer.status, 401)
    assert.equal(((await answer.json()) as { code: string }).code, 'use_dpop_nonce')
    assert.equal(seen.length, 1)
  })

  it('without the key, the bound token goes out as Bearer and the plugin refuses the downgrade', async (t) => {
    const { origin } = await dpopServer(t)
    const call = withTokens({ token: async () => token({ cnf: { jkt } }) })
    const answer = await call(`${origin}/orders`)
    assert.equal(answer.status, 401)
    assert.equal(((await answer.json()) as { code: string }).code, 'bound_token_as_bearer')
  })

  it('refuses invalid options with invalid_options, listing each', () => {
    assert.throws(
      () =>
        withTokens(
          { token: async () => 't' },
          {
            dpopKey: {} as never,
            clock: 5 as never,
            fetch: 'f' as never,
          },
        ),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'invalid_options' &&
        ['dpopKey', 'clock', 'fetch'].every((p) => error.message.includes(p)),
    )
  })
})
