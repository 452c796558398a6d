import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { jwksResponse } from './jwks-response.ts'
import { createKeyManager } from './key-manager.ts'
import { steppableClock } from './testing/clock.ts'
import { MemoryKeyStore } from './testing/memory-stores.ts'
import { testKek, testSettings } from './testing/settings.ts'

describe('jwksResponse', () => {
  it('serves the published keys with max-age = jwksMaxAgeSeconds and a strong SHA-256 ETag', async () => {
    const clock = steppableClock()
    const settings = testSettings({ jwksMaxAgeSeconds: 600 })
    const keys = createKeyManager({
      store: new MemoryKeyStore(),
      settings,
      kek: testKek,
      clock: clock.now,
    })
    await keys.ensure()
    const response = jwksResponse(keys, settings)
    assert.deepEqual(JSON.parse(response.body), keys.jwks())
    assert.equal(response.cacheControl, 'public, max-age=600')
    const digest = createHash('sha256').update(response.body).digest('base64url')
    assert.equal(response.etag, `"${digest}"`)
    assert.ok(!response.etag.startsWith('W/'))
  })

  it('keeps the ETag while the key set is unchanged and changes it with the set', async () => {
    const clock = steppableClock()
    const settings = testSettings()
    const keys = createKeyManager({
      store: new MemoryKeyStore(),
      settings,
      kek: testKek,
      clock: clock.now,
    })
    await keys.ensure()
    const first = jwksResponse(keys, settings).etag
    clock.advance(30)
    await keys.ensure()
    assert.equal(jwksResponse(keys, settings).etag, first)
    await keys.rotate()
    assert.notEqual(jwksResponse(keys, settings).etag, first)
  })

  it('never carries private key members', async () => {
    const clock = steppableClock()
    for (const algorithm of ['ES256', 'EdDSA'] as const) {
      const settings = testSettings({ algorithm })
      const keys = createKeyManager({
        store: new MemoryKeyStore(),
        settings,
        kek: testKek,
        clock: clock.now,
      })
      await keys.ensure()
      await keys.rotate()
      for (const jwk of JSON.parse(jwksResponse(keys, settings).body).keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'])
          assert.equal(jwk[member], undefined)
      }
    }
  })
})
