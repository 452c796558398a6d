import assert from 'node:assert/strict'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import express, { type NextFunction, type Request, type Response } from 'express'
import { type ExpressAdapterOptions, tesseraMiddleware } from '../../src/adapters/express.ts'
import { requireScopes } from '../../src/authorize/request-policy.ts'
import { TesseraError } from '../../src/explain/tessera-error.ts'
import type { Verifier } from '../../src/verifier/types.ts'
import { type Answer, answerOf, subject, tampered, token, verifier } from './support.ts'

async function serve(options: ExpressAdapterOptions): Promise<{ server: Server; origin: string }> {
  const app = express()
  app.use(tesseraMiddleware(options))
  app.get('/whoami', (req, res) => {
    res.json({ sub: req.tessera?.claims.sub, binding: req.tessera?.binding })
  })
  app.get('/health', (req, res) => {
    res.json({ ok: true, verified: req.tessera !== undefined })
  })
  app.get('/boom', () => {
    throw new Error('handler failure')
  })
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    res.status(500).json({ app: error.message })
  })
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const get = async (url: string, headers: Record<string, string> = {}): Promise<Answer> =>
  answerOf(await fetch(url, { headers }))

describe('tesseraMiddleware (Express)', () => {
  let server: Server
  let origin: string
  before(async () => {
    ;({ server, origin } = await serve({
      verifier: verifier(),
      policy: requireScopes('read'),
      skip: (req) => req.path === '/health',
    }))
  })
  after(() => {
    server.closeAllConnections()
    server.close()
  })

  it('accepts a valid Bearer token and sets req.tessera', async () => {
    const answer = await get(`${origin}/whoami`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json(), { sub: subject, binding: 'bearer' })
  })

  it('answers missing credentials with 401 and a plain Bearer challenge', async () => {
    const answer = await get(`${origin}/whoami`)
    assert.equal(answer.status, 401)
    assert.equal(answer.headers['www-authenticate'], 'Bearer')
    assert.equal(answer.json().code, 'missing_credentials')
    assert.equal(answer.json().error, 'invalid_request')
  })

  it('names another scheme as missing credentials without an error code in the challenge', async () => {
    const answer = await get(`${origin}/whoami`, { authorization: 'Basic dXNlcjpwYXNz' })
    assert.equal(answer.status, 401)
    assert.equal(answer.headers['www-authenticate'], 'Bearer')
    assert.equal(answer.json().code, 'missing_credentials')
  })

  it('rejects a bad token with 401 invalid_token naming the code', async () => {
    const answer = await get(`${origin}/whoami`, { authorization: `Bearer ${tampered(token())}` })
    assert.equal(answer.status, 401)
    assert.match(
      String(answer.headers['www-authenticate']),
      /^Bearer error="invalid_token", error_description="bad_signature: /,
    )
    assert.equal(answer.json().code, 'bad_signature')
    assert.match(String(answer.json().error_description), /^bad_signature: /)
  })

  it('denies by policy with 403 insufficient_scope', async () => {
    const answer = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ scope: 'write' })}`,
    })
    assert.equal(answer.status, 403)
    assert.match(String(answer.headers['www-authenticate']), /^Bearer error="insufficient_scope"/)
    assert.equal(answer.json().code, 'insufficient_scope')
  })

  it('lets skipped requests through unverified', async () => {
    const answer = await get(`${origin}/health`)
    assert.deepEqual(answer.json(), { ok: true, verified: false })
  })

  it("leaves a handler's own error to the application's error handler", async () => {
    const answer = await get(`${origin}/boom`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 500)
    assert.deepEqual(answer.json(), { app: 'handler failure' })
  })

  it('uses publicOrigin for the URL policies see', async (t) => {
    let seen = ''
    const { server: s, origin: o } = await serve({
      verifier: verifier(),
      publicOrigin: 'https://api.tessera.test/',
      policy: (_claims, request) => {
        seen = request.url
        return { allow: true }
      },
    })
    t.after(() => {
      s.closeAllConnections()
      s.close()
    })
    await get(`${o}/whoami?q=1`, { authorization: `Bearer ${token()}` })
    assert.equal(seen, 'https://api.tessera.test/whoami?q=1')
  })

  it('answers a verifier failure that is not a TesseraError with 500 internal_error', async (t) => {
    const broken = {
      ...verifier(),
      verifyRequest: async () => {
        throw new Error('secret internal detail')
      },
    } as Verifier
    const { server: s, origin: o } = await serve({ verifier: broken })
    t.after(() => {
      s.closeAllConnections()
      s.close()
    })
    const answer = await get(`${o}/whoami`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 500)
    assert.equal(answer.headers['www-authenticate'], undefined)
    assert.equal(answer.json().code, 'internal_error')
    assert.equal(answer.json().error, 'server_error')
    assert.ok(!answer.body.includes('secret internal detail'))
  })

  it('refuses invalid options with invalid_options', () => {
    assert.throws(
      () =>
        tesseraMiddleware({
          verifier: undefined as unknown as Verifier,
          skip: 1 as never,
          realm: 2 as never,
          publicOrigin: 'ftp://x',
        }),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          ['verifier', 'skip', 'realm', 'publicOrigin'],
        )
        return true
      },
    )
    assert.throws(() => tesseraMiddleware(null as never), /options are invalid/)
  })
})
