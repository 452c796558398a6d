import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createServerWorld, publicUrl, type ServerWorld } from '../testing/server-world.ts'

let world: ServerWorld
before(async () => {
  world = await createServerWorld()
})
after(() => world.close())

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer exactly, the JWKS and token endpoints and the algorithm', async () => {
    const response = await world.app.inject({ url: '/.well-known/openid-configuration' })
    assert.equal(response.statusCode, 200)
    const document = response.json() as Record<string, unknown>
    assert.equal(document.issuer, publicUrl)
    assert.equal(document.jwks_uri, `${publicUrl}/.well-known/jwks.json`)
    assert.equal(document.token_endpoint, `${publicUrl}/oauth2/token`)
    assert.deepEqual(document.grant_types_supported, [
      'urn:ietf:params:oauth:grant-type:token-exchange',
    ])
    assert.deepEqual(document.id_token_signing_alg_values_supported, ['ES256'])
    assert.equal(
      response.headers['cache-control'],
      `public, max-age=${world.config.issuer.jwksMaxAgeSeconds}`,
    )
  })

  it('answers a matching If-None-Match with 304', async () => {
    const first = await world.app.inject({ url: '/.well-known/openid-configuration' })
    const again = await world.app.inject({
      url: '/.well-known/openid-configuration',
      headers: { 'if-none-match': String(first.headers.etag) },
    })
    assert.equal(again.statusCode, 304)
  })
})
