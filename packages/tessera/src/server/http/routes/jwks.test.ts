import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createServerWorld, type ServerWorld } from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
})
after(() => world.close())

describe('GET /.well-known/jwks.json', () => {
  it('publishes the active key with cache headers from the rotation schedule', async () => {
    const response = await world.app.inject({ url: '/.well-known/jwks.json' })
    assert.equal(response.statusCode, 200)
    assert.match(String(response.headers['content-type']), /^application\/json/)
    assert.equal(
      response.headers['cache-control'],
      `public, max-age=${world.config.issuer.jwksMaxAgeSeconds}`,
    )
    assert.match(String(response.headers.etag), /^"[A-Za-z0-9_-]{43}"$/)
    const { keys } = response.json() as { keys: { kid: string; d?: string }[] }
    assert.deepEqual(
      keys.map((k) => k.kid),
      world.keys.list().map((k) => k.kid),
    )
    assert.ok(keys.every((k) => k.d === undefined))
  })

  it('answers 304 without a body to a matching If-None-Match, strong, weak or *', async () => {
    const first = await world.app.inject({ url: '/.well-known/jwks.json' })
    const etag = String(first.headers.etag)
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const again = await world.app.inject({
        url: '/.well-known/jwks.json',
        headers: { 'if-none-match': header },
      })
      assert.equal(again.statusCode, 304, header)
      assert.equal(again.body, '')
      assert.equal(again.headers.etag, etag)
    }
  })

  it('sends the new set with a new ETag after a rotation', async () => {
    const first = await world.app.inject({ url: '/.well-known/jwks.json' })
    const rotated = await world.keys.rotate()
    const second = await world.app.inject({
      url: '/.well-known/jwks.json',
      headers: { 'if-none-match': String(first.headers.etag) },
    })
    assert.equal(second.statusCode, 200)
    assert.notEqual(second.headers.etag, first.headers.etag)
    const kids = (second.json() as { keys: { kid: string }[] }).keys.map((k) => k.kid)
    assert.ok(kids.includes(rotated.kid))
  })
})
