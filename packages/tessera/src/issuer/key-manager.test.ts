import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { jwkThumbprint, TesseraError } from '@tessera/verify'
import { publicJwkOf } from './generate-key.ts'
import { createKeyManager, type KeyManagerOptions } from './key-manager.ts'
import { sealPrivateKey } from './seal.ts'
import { steppableClock } from './testing/clock.ts'
import { MemoryKeyStore } from './testing/memory-stores.ts'
import { testKek, testSettings } from './testing/settings.ts'
import type { IssuerSettings, StoredSigningKey } from './types.ts'

// rotate hourly, pre-publish 10 min; retention = max(300, 900) + 60
const hourly = { rotateEverySeconds: 3600, prePublishSeconds: 600, jwksMaxAgeSeconds: 600 }
const retention = 960

function setup(overrides: Partial<IssuerSettings> = {}, store = new MemoryKeyStore()) {
  const clock = steppableClock()
  const settings = testSettings({ ...hourly, ...overrides })
  const keys = createKeyManager({ store, settings, kek: testKek, clock: clock.now })
  return { clock, settings, store, keys, start: clock.now() }
}

async function refusal(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

function thrown(fn: () => unknown): TesseraError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

const kids = (set: { keys: readonly Readonly<Record<string, unknown>>[] }): unknown[] =>
  set.keys.map((k) => k.kid)

describe('createKeyManager', () => {
  it('creates and activates one key on first ensure, kid = RFC 7638 thumbprint', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const signing = keys.signingKey()
    assert.equal(signing.algorithm, 'ES256')
    assert.equal(signing.privateKey.asymmetricKeyType, 'ec')
    const jwks = keys.jwks()
    assert.deepEqual(kids(jwks), [signing.kid])
    const jwk = jwks.keys[0] as Record<string, unknown>
    assert.equal(jwk.alg, 'ES256')
    assert.equal(jwk.use, 'sig')
    assert.equal(jwk.crv, 'P-256')
    assert.equal(jwk.d, undefined)
    assert.equal(jwkThumbprint(jwk), signing.kid)
    assert.equal(store.records.size, 1)
  })

  it('seals the private key at rest: the record holds no plaintext key', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const record = [...store.records.values()][0] as StoredSigningKey
    const der = keys.signingKey().privateKey.export({ format: 'der', type: 'pkcs8' })
    assert.equal(Buffer.from(record.sealedPrivateKey, 'base64url').includes(der), false)
    assert.equal(Buffer.from(record.sealedPrivateKey, 'base64url').length, 12 + der.length + 16)
  })

  it('is idempotent: a second ensure at the same instant writes nothing', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const writes = store.writes
    await keys.ensure()
    await keys.ensure()
    assert.equal(store.writes, writes)
    assert.equal(store.records.size, 1)
  })

  it('creates a single key when ensure is called concurrently on an empty store', async () => {
    const { keys, store } = setup()
    await Promise.all([keys.ensure(), keys.ensure(), keys.ensure()])
    assert.equal(store.records.size, 1)
  })

  it('refuses signingKey before ensure with internal_error', () => {
    const { keys } = setup()
    const error = thrown(() => keys.signingKey())
    assert.equal(error.code, 'internal_error')
    assert.match(error.message, /no active signing key/)
    assert.deepEqual(keys.jwks(), { keys: [] })
    assert.deepEqual(keys.list(), [])
  })

  it('pre-publishes, activates, retires and finally deletes keys on schedule', async () => {
    const { keys, clock, start, store } = setup()
    await keys.ensure()
    const first = keys.signingKey().kid

    clock.set(start + 3600 - 600 - 1)
    await keys.ensure()
    assert.deepEqual(kids(keys.jwks()), [first], 'nothing new before the pre-publish window')

    clock.set(start + 3000)
    await keys.ensure()
    const pending = keys.list().find((k) => k.state === 'pending')
    assert.ok(pending)
    assert.equal(pending.activatesAt, start + 3600)
    assert.equal(keys.signingKey().kid, first, 'the pending key does not sign yet')
    assert.deepEqual(kids(keys.jwks()), [first, pending.kid], 'active first, then pending')

    clock.set(start + 3600)
    await keys.ensure()
    assert.equal(keys.signingKey().kid, pending.kid)
    const retired = keys.list().find((k) => k.kid === first)
    assert.equal(retired?.state, 'retired')
    assert.equal(retired?.retiredAt, start + 3600)
    assert.equal(retired?.publishedUntil, start + 3600 + retention)
    assert.deepEqual(kids(keys.jwks()), [pending.kid, first])

    // Leaves the JWKS at publishedUntil by the clock alone; ensure then deletes it.
    clock.set(start + 3600 + retention)
    assert.deepEqual(kids(keys.jwks()), [pending.kid])
    assert.equal(store.records.has(first), true)
    await keys.ensure()
    assert.equal(store.records.has(first), false)
  })

  it('opens each private key once: the same KeyObject serves across reloads', async () => {
    const { keys, clock } = setup()
    await keys.ensure()
    const before = keys.signingKey().privateKey
    clock.advance(60)
    await keys.ensure()
    assert.equal(keys.signingKey().privateKey, before)
  })

  it('reloads on ensure what another process changed in the store', async () => {
    const server = setup()
    await server.keys.ensure()
    const cli = createKeyManager({
      store: server.store,
      settings: server.settings,
      kek: testKek,
      clock: server.clock.now,
    })
    const rotated = await cli.rotate({ immediate: true })
    assert.notEqual(server.keys.signingKey().kid, rotated.kid, 'unchanged until ensure')
    await server.keys.ensure()
    assert.equal(server.keys.signingKey().kid, rotated.kid)
    // Opened from the sealed record this time, and it signs as the same key.
    assert.equal(publicJwkOf(server.keys.signingKey().privateKey, 'ES256').kid, rotated.kid)
  })

  it('fails ensure with internal_error naming the kid when the KEK is not the one used', async () => {
    const first = setup()
    await first.keys.ensure()
    const kid = first.keys.signingKey().kid
    const other = createKeyManager({
      store: first.store,
      settings: first.settings,
      kek: Buffer.alloc(32, 1),
      clock: first.clock.now,
    })
    const error = await refusal(other.ensure())
    assert.equal(error.code, 'internal_error')
    assert.ok(error.message.includes(kid))
  })

  it('refuses a record whose public key does not hash to its kid', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const record = [...store.records.values()][0] as StoredSigningKey
    store.records.set(record.kid, {
      ...record,
      publicJwk: { ...record.publicJwk, x: record.publicJwk.y, y: record.publicJwk.x },
    })
    const fresh = setup({}, store)
    const error = await refusal(fresh.keys.ensure())
    assert.equal(error.code, 'internal_error')
    assert.match(error.message, /RFC 7638 thumbprint/)
  })

  it('refuses a record whose sealed key is another key than its kid names', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const record = [...store.records.values()][0] as StoredSigningKey
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
    const der = stranger.export({ format: 'der', type: 'pkcs8' })
    store.records.set(record.kid, {
      ...record,
      sealedPrivateKey: sealPrivateKey(der, testKek, record.kid),
    })
    const error = await refusal(setup({}, store).keys.ensure())
    assert.equal(error.code, 'internal_error')
    assert.match(error.message, /is not the ES256 key its kid names/)
  })

  it('rotate() pre-publishes a key that activates after prePublishSeconds', async () => {
    const { keys, clock, start } = setup()
    await keys.ensure()
    const first = keys.signingKey().kid
    clock.advance(100)
    const next = await keys.rotate()
    assert.equal(next.state, 'pending')
    assert.equal(next.activatesAt, start + 100 + 600)
    assert.equal('sealedPrivateKey' in next, false)
    assert.equal(keys.signingKey().kid, first)
    assert.deepEqual(kids(keys.jwks()), [first, next.kid])
    clock.set(start + 700)
    await keys.ensure()
    assert.equal(keys.signingKey().kid, next.kid)
  })

  it('rotate({ immediate: true }) signs with the new key at once and keeps the old published', async () => {
    const { keys, clock, start } = setup()
    await keys.ensure()
    const first = keys.signingKey().kid
    clock.advance(100)
    const next = await keys.rotate({ immediate: true })
    assert.equal(next.state, 'active')
    assert.equal(keys.signingKey().kid, next.kid)
    const old = keys.list().find((k) => k.kid === first)
    assert.equal(old?.state, 'retired')
    assert.equal(old?.publishedUntil, start + 100 + retention)
    assert.deepEqual(kids(keys.jwks()), [next.kid, first])
  })

  it('revoke() of the active key unpublishes it at once and signs with a fresh key', async () => {
    const { keys, clock, start, store } = setup()
    await keys.ensure()
    clock.set(start + 3000)
    await keys.ensure()
    const first = keys.signingKey().kid
    const pending = keys.list().find((k) => k.state === 'pending')?.kid
    clock.advance(10)
    await keys.revoke(first)
    const fresh = keys.signingKey().kid
    assert.notEqual(fresh, first)
    assert.notEqual(fresh, pending, 'a fresh key, not the pending one')
    assert.ok(!kids(keys.jwks()).includes(first))
    assert.deepEqual(new Set(kids(keys.jwks())), new Set([fresh, pending]))
    const revoked = keys.list().find((k) => k.kid === first)
    assert.equal(revoked?.state, 'revoked')
    assert.equal(revoked?.publishedUntil, start + 3010 + retention)
    // Kept for audit until publishedUntil, then deleted.
    clock.set(start + 3010 + retention)
    await keys.ensure()
    assert.equal(store.records.has(first), false)
  })

  it('revoke() of a pending key leaves the active key signing; revoking twice does nothing', async () => {
    const { keys, store } = setup()
    await keys.ensure()
    const first = keys.signingKey().kid
    const next = await keys.rotate()
    await keys.revoke(next.kid)
    assert.equal(keys.signingKey().kid, first)
    assert.deepEqual(kids(keys.jwks()), [first])
    const writes = store.writes
    await keys.revoke(next.kid)
    assert.equal(store.writes, writes)
  })

  it('revoke() of an unknown kid fails with invalid_request listing the stored kids', async () => {
    const { keys } = setup()
    await keys.ensure()
    const error = await refusal(keys.revoke('no-such-kid'))
    assert.equal(error.code, 'invalid_request')
    assert.deepEqual(error.expected, [keys.signingKey().kid])
    assert.equal(error.actual, 'no-such-kid')
  })

  it('list() shows every key by activation time and never the sealed private key', async () => {
    const { keys } = setup()
    await keys.ensure()
    await keys.rotate()
    const list = keys.list()
    assert.deepEqual(
      list.map((k) => k.state),
      ['active', 'pending'],
    )
    for (const k of list) assert.equal('sealedPrivateKey' in k, false)
    assert.ok(Object.isFrozen(list))
  })

  it('keySource() follows rotation and revocation without being fetched again', async () => {
    const { keys, clock } = setup()
    await keys.ensure()
    const source = keys.keySource()
    const first = keys.signingKey().kid
    const selected = source.select(first, 'ES256')
    assert.ok(!(selected instanceof Promise))
    assert.equal(selected[0]?.kid, first)
    assert.deepEqual(source.state().kids, [first])

    clock.advance(10)
    const next = await keys.rotate({ immediate: true })
    assert.equal(keys.keySource(), source, 'one key source for the manager’s life')
    assert.deepEqual(source.state().kids, [next.kid, first])

    await keys.revoke(first)
    assert.throws(
      () => source.select(first, 'ES256'),
      (e: unknown) => e instanceof TesseraError && e.code === 'unknown_key',
    )
  })

  it('keySource() is rebuilt when a retired key expires by the clock alone', async () => {
    const { keys, clock, start } = setup()
    await keys.ensure()
    const first = keys.signingKey().kid
    clock.advance(10)
    await keys.rotate({ immediate: true })
    assert.equal(keys.keySource().state().kids.length, 2)
    clock.set(start + 10 + retention)
    assert.deepEqual(keys.keySource().state().kids.includes(first), false)
  })

  it('generates Ed25519 keys for EdDSA and RSA 3072 keys for RS256', async () => {
    const ed = setup({ algorithm: 'EdDSA' })
    await ed.keys.ensure()
    assert.equal(ed.keys.signingKey().privateKey.asymmetricKeyType, 'ed25519')
    assert.deepEqual(
      { kty: ed.keys.jwks().keys[0]?.kty, crv: ed.keys.jwks().keys[0]?.crv },
      { kty: 'OKP', crv: 'Ed25519' },
    )
    const rsa = setup({ algorithm: 'RS256' })
    await rsa.keys.ensure()
    const jwk = rsa.keys.jwks().keys[0] as Record<string, unknown>
    assert.equal(jwk.kty, 'RSA')
    assert.equal(jwk.e, 'AQAB')
    const pub = createPublicKey({ key: jwk as never, format: 'jwk' })
    assert.equal(pub.asymmetricKeyDetails?.modulusLength, 3072)
    assert.equal(jwk.d, undefined)
  })

  it('creates keys of a newly configured algorithm while older keys keep theirs', async () => {
    const es = setup()
    await es.keys.ensure()
    const ed = createKeyManager({
      store: es.store,
      settings: testSettings({ ...hourly, algorithm: 'EdDSA' }),
      kek: testKek,
      clock: es.clock.now,
    })
    await ed.ensure()
    assert.equal(ed.signingKey().algorithm, 'ES256')
    const next = await ed.rotate({ immediate: true })
    assert.equal(next.algorithm, 'EdDSA')
  })

  it('reports a failing store as internal_error and recovers once the store does', async () => {
    const { keys, store } = setup()
    const put = store.put.bind(store)
    store.put = async () => {
      throw new Error('disk full')
    }
    const error = await refusal(keys.ensure())
    assert.equal(error.code, 'internal_error')
    assert.equal(error.message, 'signing key operation failed: disk full')
    store.put = put
    await keys.ensure()
    assert.equal(keys.list().length, 1)
  })

  it('refuses bad options with invalid_config listing every problem', () => {
    const error = thrown(() =>
      createKeyManager({
        store: {} as never,
        settings: {
          ...testSettings(),
          algorithm: 'HS256' as never,
          rotateEverySeconds: 0,
          issuerUrl: '',
        },
        kek: Buffer.alloc(16),
        clock: 5 as never,
      } satisfies KeyManagerOptions),
    )
    assert.equal(error.code, 'invalid_config')
    assert.deepEqual(
      error.problems?.map((p) => p.path),
      [
        'store',
        '/issuer/keyEncryptionKey',
        'clock',
        '/issuer/algorithm',
        '/issuer/rotateEverySeconds',
        '/server/publicUrl',
      ],
    )
  })
})
