import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import Fastify from 'fastify'
import { createLogger } from './logger.ts'

function capture() {
  const lines: Record<string, unknown>[] = []
  return {
    lines,
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>)
      },
    },
  }
}

describe('createLogger', () => {
  it('writes JSON lines at the configured level and above', () => {
    const { lines, destination } = capture()
    const logger = createLogger({ level: 'warn', destination })
    logger.info('not written')
    logger.warn({ issuer: 'https://ci.example' }, 'issuer slow')
    assert.equal(lines.length, 1)
    assert.equal(lines[0]?.msg, 'issuer slow')
    assert.equal(lines[0]?.issuer, 'https://ci.example')
    assert.equal(lines[0]?.name, 'tessera')
  })

  it('redacts authorization headers and token fields wherever a request or form carries them', () => {
    const { lines, destination } = capture()
    const logger = createLogger({ level: 'info', destination })
    logger.info(
      {
        req: { headers: { authorization: 'Basic c2VjcmV0', host: 'x' } },
        form: { subject_token: 'eyJ.a.b', actor_token: 'eyJ.c.d', client_secret: 's3cret' },
        body: { token: 'eyJ.e.f', joinToken: 'tjt_abc', audience: 'https://a.example' },
        token: 'eyJ.top.level',
      },
      'request',
    )
    const text = JSON.stringify(lines[0])
    for (const secret of ['c2VjcmV0', 'eyJ', 's3cret', 'tjt_abc']) assert.ok(!text.includes(secret))
    assert.deepEqual(lines[0]?.req, { headers: { authorization: '[redacted]', host: 'x' } })
    assert.equal(
      (lines[0]?.body as Record<string, unknown> | undefined)?.audience,
      'https://a.example',
    )
  })

  it("redacts every dialect's credential fields, DPoP proofs and authorization, top level and nested", () => {
    const { lines, destination } = capture()
    const logger = createLogger({ level: 'info', destination })
    const secrets = {
      client_assertion: 'secret-client-assertion',
      subjectToken: 'secret-subject-camel',
      subject_token: 'secret-subject-snake',
      actorToken: 'secret-actor-camel',
      WebIdentityToken: 'secret-web-identity',
      SAMLAssertion: 'secret-saml-assertion',
      SecretAccessKey: 'secret-access-key',
      SessionToken: 'secret-session-token',
      access_token: 'secret-access-token',
    }
    const nested = Object.fromEntries(
      Object.entries(secrets).map(([field, value]) => [field, `${value}-nested`]),
    )
    logger.info(
      {
        ...secrets,
        form: nested,
        req: { headers: { dpop: 'secret-dpop-proof', authorization: 'DPoP secret-dpop-token' } },
        reply: { headers: { dpop: 'secret-dpop-reply' } },
        headers: { dpop: 'secret-dpop-top', authorization: 'Bearer secret-bearer-top' },
      },
      'request',
    )
    const text = JSON.stringify(lines[0])
    assert.equal(text.includes('secret-'), false, text)
    assert.equal(
      (lines[0]?.form as { SAMLAssertion?: unknown } | undefined)?.SAMLAssertion,
      '[redacted]',
    )
    assert.equal(lines[0]?.WebIdentityToken, '[redacted]')
  })

  it("writes a Fastify request's path, never its query string", async () => {
    const { lines, destination } = capture()
    const app = Fastify({ loggerInstance: createLogger({ level: 'info', destination }) })
    app.post('/', async () => 'ok')
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
    await app.inject({ method: 'POST', url: `/?Action=X&WebIdentityToken=${token}` })
    await app.inject({ method: 'GET', url: '/v1/token' })
    await app.close()
    assert.ok(!JSON.stringify(lines).includes('eyJ'))
    const urls = lines.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean)
    assert.deepEqual(urls, ['/?[query omitted]', '/v1/token'])
    const [first] = lines
    assert.equal((first?.req as { method?: string } | undefined)?.method, 'POST')
  })

  it('defaults to level info on standard output', () => {
    const logger = createLogger()
    assert.equal(logger.level, 'info')
  })

  it('is silent with level silent', () => {
    const { lines, destination } = capture()
    createLogger({ level: 'silent', destination }).error('nothing')
    assert.equal(lines.length, 0)
  })
})
