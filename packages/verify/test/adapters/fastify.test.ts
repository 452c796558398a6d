import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { createClient } from 'redis'
import { tesseraAuth } from '../../src/adapters/fastify.ts'
import { requireScopes } from '../../src/authorize/request-policy.ts'
import { TesseraError } from '../../src/explain/tessera-error.ts'
import { createRedisReplayStore } from '../../src/replay/redis-replay-store.ts'
import type { Verifier } from '../../src/verifier/types.ts'
import {
  type Answer,
  answerOf,
  audience,
  httpsCall,
  now,
  subject,
  tampered,
  tls,
  token,
  verifier,
  x5t,
} from './support.ts'

async function serve(
  v: Verifier,
  setup: (app: FastifyInstance) => void = () => {},
  options: Record<string, unknown> = {},
): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify()
  await app.register(tesseraAuth, { verifier: v, ...options })
  app.get('/whoami', async (request) => ({
    sub: request.tessera?.claims.sub,
    binding: request.tessera?.binding,
  }))
  app.get(
    '/admin',
    { config: { tessera: { policy: requireScopes('admin') } } },
    async (request) => ({
      sub: request.tessera?.claims.sub,
    }),
  )
  app.get('/health', { config: { tessera: { skip: true } } }, async (request) => ({
    ok: true,
    tessera: request.tessera,
  }))
  setup(app)
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  return { app, origin }
}

const get = async (url: string, headers: Record<string, string> = {}): Promise<Answer> =>
  answerOf(await fetch(url, { headers }))

describe('tesseraAuth (Fastify)', () => {
  let app: FastifyInstance
  let origin: string
  before(async () => {
    ;({ app, origin } = await serve(verifier()))
  })
  after(() => app.close())

  it('accepts a valid Bearer token and gives the handler the verified claims', async () => {
    const answer = await get(`${origin}/whoami`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json(), { sub: subject, binding: 'bearer' })
  })

  it('answers a request without credentials with a plain Bearer challenge', async () => {
    const answer = await get(`${origin}/whoami`)
    assert.equal(answer.status, 401)
    assert.equal(answer.headers['www-authenticate'], 'Bearer')
    assert.equal(answer.headers['cache-control'], 'no-store')
    const body = answer.json()
    assert.equal(body.code, 'missing_credentials')
    assert.match(String(body.error_description), /^missing_credentials: /)
  })

  it('rejects a bad token with invalid_token and the code in error_description and body', async () => {
    const bad = tampered(token())
    const answer = await get(`${origin}/whoami`, { authorization: `Bearer ${bad}` })
    assert.equal(answer.status, 401)
    const challenge = String(answer.headers['www-authenticate'])
    assert.match(challenge, /^Bearer error="invalid_token", error_description="bad_signature: /)
    const body = answer.json()
    assert.equal(body.error, 'invalid_token')
    assert.equal(body.code, 'bad_signature')
    assert.match(String(body.error_description), /^bad_signature: the signature does not verify/)
    assert.ok(!answer.body.includes(bad.split('.')[2] as string), 'the body never echoes the token')
  })

  it('denies by route policy with 403 insufficient_scope', async () => {
    const answer = await get(`${origin}/admin`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 403)
    assert.match(String(answer.headers['www-authenticate']), /^Bearer error="insufficient_scope"/)
    assert.equal(answer.json().code, 'insufficient_scope')
    const allowed = await get(`${origin}/admin`, {
      authorization: `Bearer ${token({ scope: 'read admin' })}`,
    })
    assert.equal(allowed.status, 200)
  })

  it('lets skipped routes through without verifying them', async () => {
    const answer = await get(`${origin}/health`)
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json(), { ok: true, tessera: null })
  })

  it('carries the near-miss hint of an audience mismatch in the body', async () => {
    const answer = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ aud: `${audience}/` })}`,
    })
    assert.equal(answer.status, 401)
    assert.deepEqual(answer.json(), {
      error: 'invalid_token',
      error_description: 'audience_mismatch: the token was issued for a different audience',
      code: 'audience_mismatch',
      hint: 'trailing_slash',
    })
  })
})

describe('tesseraAuth options (Fastify)', () => {
  it('applies the plugin policy, the skip function and a realm', async (t) => {
    const { app, origin } = await serve(verifier(), () => {}, {
      policy: [requireScopes('read')],
      skip: (request: { url: string }) => request.url === '/open',
      realm: 'api "v1"',
    })
    t.after(() => app.close())
    app.log.level = 'silent'
    const denied = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ scope: 'write' })}`,
    })
    assert.equal(denied.status, 403)
    assert.match(
      String(denied.headers['www-authenticate']),
      /^Bearer realm="api \\"v1\\"", error="insufficient_scope"/,
    )
    const missing = await get(`${origin}/whoami`)
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="api \\"v1\\""')
    // The route policy runs after the plugin's: both must pass.
    const admin = await get(`${origin}/admin`, {
      authorization: `Bearer ${token({ scope: 'read admin' })}`,
    })
    assert.equal(admin.status, 200)
    const adminOnly = await get(`${origin}/admin`, {
      authorization: `Bearer ${token({ scope: 'admin' })}`,
    })
    assert.equal(adminOnly.status, 403)
  })

  it('verifies only routes that use tesseraAuthenticate when hook is none', async (t) => {
    const { app, origin } = await serve(
      verifier(),
      (a) => {
        a.get('/guarded', { preHandler: a.tesseraAuthenticate }, async (request) => ({
          sub: request.tessera?.claims.sub,
        }))
      },
      { hook: 'none' },
    )
    t.after(() => app.close())
    assert.equal((await get(`${origin}/whoami`)).status, 200)
    assert.equal((await get(`${origin}/guarded`)).status, 401)
    const ok = await get(`${origin}/guarded`, { authorization: `Bearer ${token()}` })
    assert.deepEqual(ok.json(), { sub: subject })
  })

  it('verifies once when the global hook and tesseraAuthenticate both run', async (t) => {
    let decisions = 0
    const { app, origin } = await serve(
      verifier({ onDecision: () => decisions++ }),
      (a) => {
        a.get('/twice', { preHandler: a.tesseraAuthenticate }, async () => 'ok')
      },
      { hook: 'preHandler' },
    )
    t.after(() => app.close())
    const answer = await get(`${origin}/twice`, { authorization: `Bearer ${token()}` })
    assert.equal(answer.status, 200)
    assert.equal(decisions, 1)
  })

  it('refuses invalid options with invalid_options listing every problem', async () => {
    const app = Fastify()
    await assert.rejects(
      async () => {
        await app.register(tesseraAuth, {
          verifier: {} as Verifier,
          publicOrigin: 'https://api.tessera.test/base',
          hook: 'onSend' as never,
          policy: ['nope' as never],
        })
      },
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          ['verifier', 'hook', 'publicOrigin', 'policy[0]'],
        )
        return true
      },
    )
    await app.close()
  })
})

describe('delegation rules (Fastify)', () => {
  const actor = 'spiffe://example.org/svc/gateway'

  it('rejects an act chain deeper than maxDepth with 403 delegation_too_deep', async (t) => {
    const { app, origin } = await serve(verifier({ delegation: { maxDepth: 1 } }))
    t.after(() => app.close())
    const once = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ act: { sub: actor } })}`,
    })
    assert.equal(once.status, 200)
    const twice = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ act: { sub: actor, act: { sub: 'spiffe://example.org/svc/edge' } } })}`,
    })
    assert.equal(twice.status, 403)
    assert.match(String(twice.headers['www-authenticate']), /^Bearer error="insufficient_scope"/)
    assert.equal(twice.json().code, 'delegation_too_deep')
    assert.match(String(twice.json().error_description), /^delegation_too_deep: /)
  })

  it('rejects an actor outside allowedActors with 403 actor_not_allowed', async (t) => {
    const { app, origin } = await serve(
      verifier({ delegation: { allowedActors: ['spiffe://example.org/svc/*'] } }),
    )
    t.after(() => app.close())
    const allowed = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ act: { sub: actor } })}`,
    })
    assert.equal(allowed.status, 200)
    const outside = await get(`${origin}/whoami`, {
      authorization: `Bearer ${token({ act: { sub: 'spiffe://example.org/ns/ci/sa/runner' } })}`,
    })
    assert.equal(outside.status, 403)
    assert.equal(outside.json().code, 'actor_not_allowed')
    assert.match(String(outside.json().error_description), /^actor_not_allowed: /)
  })
})

describe('replay across two receivers sharing one Redis store', () => {
  const client = createClient({ url: 'redis://127.0.0.1:6379' })
  const prefix = `tessera:test:${crypto.randomUUID()}:`
  before(() => client.connect())
  after(async () => {
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(keys)
    await client.quit()
  })

  it('accepts a jti at the first instance and rejects it at the second with replay', async (t) => {
    const first = await serve(verifier({ replay: createRedisReplayStore({ client, prefix }) }))
    const second = await serve(verifier({ replay: createRedisReplayStore({ client, prefix }) }))
    t.after(() => Promise.all([first.app.close(), second.app.close()]))
    const once = token()
    const accepted = await get(`${first.origin}/whoami`, { authorization: `Bearer ${once}` })
    assert.equal(accepted.status, 200)
    const replayed = await get(`${second.origin}/whoami`, { authorization: `Bearer ${once}` })
    assert.equal(replayed.status, 401)
    assert.equal(replayed.json().code, 'replay')
    assert.match(String(replayed.headers['www-authenticate']), /error_description="replay: /)
    // Another token is unaffected.
    const fresh = await get(`${second.origin}/whoami`, { authorization: `Bearer ${token()}` })
    assert.equal(fresh.status, 200)
  })
})

describe('mTLS-bound tokens (Fastify over HTTPS)', () => {
  let app: FastifyInstance
  let origin: string
  before(async () => {
    app = Fastify({
      https: {
        ...tls.server,
        ca: tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
      },
    })
    await app.register(tesseraAuth, { verifier: verifier() })
    app.get('/whoami', async (request) => ({
      sub: request.tessera?.claims.sub,
      binding: request.tessera?.binding,
    }))
    origin = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  after(() => app.close())

  it("accepts a token bound to the client's certificate", async () => {
    const bound = token({ cnf: { 'x5t#S256': x5t(tls.clientA.cert) } })
    const answer = await httpsCall(`${origin}/whoami`, {
      headers: { authorization: `Bearer ${bound}` },
      client: tls.clientA,
    })
    assert.equal(answer.status, 200)
    assert.deepEqual(answer.json(), { sub: subject, binding: 'mtls' })
  })

  it('rejects a token bound to another certificate with binding_mismatch', async () => {
    const bound = token({ cnf: { 'x5t#S256': x5t(tls.clientB.cert) } })
    const answer = await httpsCall(`${origin}/whoami`, {
      headers: { authorization: `Bearer ${bound}` },
      client: tls.clientA,
    })
    assert.equal(answer.status, 401)
    assert.equal(answer.json().code, 'binding_mismatch')
    assert.match(String(answer.headers['www-authenticate']), /error="invalid_token"/)
  })

  it('rejects a certificate-bound token sent without a client certificate', async () => {
    const bound = token({ cnf: { 'x5t#S256': x5t(tls.clientA.cert) } })
    const answer = await httpsCall(`${origin}/whoami`, {
      headers: { authorization: `Bearer ${bound}` },
    })
    assert.equal(answer.status, 401)
    assert.equal(answer.json().code, 'binding_mismatch')
  })

  it('still accepts an unbound token over the same connection type', async () => {
    const answer = await httpsCall(`${origin}/whoami`, {
      headers: { authorization: `Bearer ${token({ iat: now })}` },
      client: tls.clientA,
    })
    assert.deepEqual(answer.json(), { sub: subject, binding: 'bearer' })
  })
})
