import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { discoveryDocument, discoveryResponse } from './discovery-document.ts'
import { testSettings } from './testing/settings.ts'

describe('discoveryDocument', () => {
  it('lists the issuer exactly and the endpoints under it', () => {
    assert.deepEqual(discoveryDocument('https://tessera.example.org', 'ES256'), {
      issuer: 'https://tessera.example.org',
      jwks_uri: 'https://tessera.example.org/.well-known/jwks.json',
      token_endpoint: 'https://tessera.example.org/oauth2/token',
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
      id_token_signing_alg_values_supported: ['ES256'],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      token_endpoint_auth_methods_supported: ['none'],
    })
  })

  it('keeps a path and a trailing slash in issuer but never doubles the slash in endpoints', () => {
    const document = discoveryDocument('https://example.org/tessera/', 'EdDSA')
    assert.equal(document.issuer, 'https://example.org/tessera/')
    assert.equal(document.jwks_uri, 'https://example.org/tessera/.well-known/jwks.json')
    assert.equal(document.token_endpoint, 'https://example.org/tessera/oauth2/token')
    assert.deepEqual(document.id_token_signing_alg_values_supported, ['EdDSA'])
  })
})

describe('discoveryResponse', () => {
  it('is cached as long as the JWKS, with a strong ETag of the body', () => {
    const response = discoveryResponse(testSettings({ jwksMaxAgeSeconds: 321 }))
    assert.equal(response.cacheControl, 'public, max-age=321')
    assert.deepEqual(JSON.parse(response.body), discoveryDocument('https://tessera.test', 'ES256'))
    const digest = createHash('sha256').update(response.body).digest('base64url')
    assert.equal(response.etag, `"${digest}"`)
  })
})
