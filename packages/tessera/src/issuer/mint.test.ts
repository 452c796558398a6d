import assert from 'node:assert/strict'
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { createVerifier, decodeJwt, TesseraError } from '@tessera/verify'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { createKeyManager } from './key-manager.ts'
import { createMinter, type MintRequest } from './mint.ts'
import { steppableClock } from './testing/clock.ts'
import { MemoryKeyStore } from './testing/memory-stores.ts'
import { testKek, testSettings } from './testing/settings.ts'
import type { SigningAlgorithm } from './types.ts'

const issuerUrl = 'https://tessera.test'
const audience = 'https://payments.example.org'
const sub = 'spiffe://example.org/ci/payments'

async function setup(algorithm: SigningAlgorithm = 'ES256') {
  const clock = steppableClock()
  const keys = createKeyManager({
    store: new MemoryKeyStore(),
    settings: testSettings({ algorithm, issuerUrl }),
    kek: testKek,
    clock: clock.now,
  })
  await keys.ensure()
  const minter = createMinter({ keys, issuerUrl, clock: clock.now })
  const claims = (extra: Record<string, unknown> = {}) => ({
    sub,
    aud: audience,
    exp: clock.now() + 300,
    ...extra,
  })
  return { clock, keys, minter, claims }
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

describe('createMinter', () => {
  for (const algorithm of ['ES256', 'EdDSA', 'RS256'] as const) {
    it(`mints ${algorithm} tokens that @tessera/verify and jose both accept`, async () => {
      const { keys, minter, claims, clock } = await setup(algorithm)
      const minted = minter.mint({ typ: 'JWT', claims: claims({ scope: 'payments.read' }) })

      const verifier = createVerifier({
        issuers: [{ issuer: issuerUrl, keySource: keys.keySource(), algorithms: [algorithm] }],
        audience,
        clock: clock.now,
        typ: 'JWT',
      })
      const ours = await verifier.verify(minted.token)
      assert.equal(ours.claims.sub, sub)
      assert.equal(ours.claims.scope, 'payments.read')

      const theirs = await jwtVerify(minted.token, createLocalJWKSet(keys.jwks() as never), {
        issuer: issuerUrl,
        audience,
        algorithms: [algorithm],
        currentDate: new Date(clock.now() * 1000),
        typ: 'JWT',
      })
      assert.equal(theirs.protectedHeader.kid, keys.signingKey().kid)
      assert.equal(theirs.payload.jti, minted.jti)
    })
  }

  it('sets the header { alg, kid, typ } and iss, iat, jti; returns what it set', async () => {
    const { minter, claims, clock, keys } = await setup()
    const minted = minter.mint({ typ: 'at+jwt', claims: claims() })
    const { header, claims: payload } = decodeJwt(minted.token, 16_384)
    assert.deepEqual(header, { alg: 'ES256', kid: keys.signingKey().kid, typ: 'at+jwt' })
    assert.equal(payload.iss, issuerUrl)
    assert.equal(payload.iat, clock.now())
    assert.equal(minted.iat, clock.now())
    assert.equal(minted.exp, clock.now() + 300)
    assert.equal(payload.jti, minted.jti)
    assert.match(minted.jti, /^[A-Za-z0-9_-]{22}$/, '128 bits, base64url')
  })

  it('signs ES256 as JOSE r ‖ s (64 bytes), not DER', async () => {
    const { minter, claims } = await setup()
    const signature = minter.mint({ typ: 'JWT', claims: claims() }).token.split('.')[2] as string
    assert.equal(Buffer.from(signature, 'base64url').length, 64)
  })

  it('gives every token a fresh jti, past a refill of its random pool (256 ids)', async () => {
    const { minter, claims } = await setup()
    const jtis = Array.from(
      { length: 600 },
      () => minter.mint({ typ: 'JWT', claims: claims() }).jti,
    )
    assert.equal(new Set(jtis).size, 600)
    for (const jti of jtis) assert.match(jti, /^[A-Za-z0-9_-]{22}$/)
  })

  it('signs ES256 r ‖ s that node:crypto verifies as ieee-p1363, including short r or s', async () => {
    const { minter, claims, keys } = await setup()
    const publicKey = createPublicKey(keys.signingKey().privateKey)
    // r or s below 2^248 (1 in 128 per signature) is left-padded with zeros to 32 bytes.
    for (let i = 0; i < 300; i++) {
      const token = minter.mint({ typ: 'JWT', claims: claims({ n: i }) }).token
      const dot = token.lastIndexOf('.')
      const signature = Buffer.from(token.slice(dot + 1), 'base64url')
      const input = Buffer.from(token.slice(0, dot))
      const key = { key: publicKey, dsaEncoding: 'ieee-p1363' } as const
      assert.equal(verify('sha256', input, key, signature), true, token)
    }
  })

  it('refuses with internal_error when the ES256 key is not a P-256 key', async () => {
    const { keys, claims, clock } = await setup()
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey
    const minter = createMinter({
      keys: { signingKey: () => ({ ...keys.signingKey(), privateKey: p384 }) },
      issuerUrl,
      clock: clock.now,
    })
    const error = thrown(() => minter.mint({ typ: 'JWT', claims: claims() }))
    assert.equal(error.code, 'internal_error')
    assert.match(error.message, /did not produce a P-256 ECDSA signature/)
  })

  it('replaces iss, iat and jti given in the claims: the minter is their only source', async () => {
    const { minter, claims, clock } = await setup()
    const minted = minter.mint({
      typ: 'JWT',
      claims: claims({ iss: 'https://evil.example', iat: 1, jti: 'fixed' }),
    })
    const { claims: payload } = decodeJwt(minted.token, 16_384)
    assert.equal(payload.iss, issuerUrl)
    assert.equal(payload.iat, clock.now())
    assert.notEqual(payload.jti, 'fixed')
  })

  it('accepts an audience list', async () => {
    const { minter, claims } = await setup()
    const minted = minter.mint({ typ: 'JWT', claims: claims({ aud: [audience, 'b'] }) })
    assert.deepEqual(decodeJwt(minted.token, 16_384).claims.aud, [audience, 'b'])
  })

  it('signs with the key that is active at the time of minting', async () => {
    const { minter, claims, keys, clock } = await setup()
    const before = decodeJwt(minter.mint({ typ: 'JWT', claims: claims() }).token, 16_384).header.kid
    clock.advance(1)
    const next = await keys.rotate({ immediate: true })
    const after = decodeJwt(minter.mint({ typ: 'JWT', claims: claims() }).token, 16_384).header.kid
    assert.notEqual(before, after)
    assert.equal(after, next.kid)
  })

  const refusals: [string, MintRequest, RegExp][] = [
    ['a missing sub', { typ: 'JWT', claims: { aud: audience, exp: 2e9 } }, /sub must be/],
    ['an empty sub', { typ: 'JWT', claims: { sub: '', aud: audience, exp: 2e9 } }, /sub must be/],
    ['a missing aud', { typ: 'JWT', claims: { sub, exp: 2e9 } }, /aud must be/],
    ['an empty aud list', { typ: 'JWT', claims: { sub, aud: [], exp: 2e9 } }, /aud must be/],
    [
      'a non-string audience',
      { typ: 'JWT', claims: { sub, aud: [audience, 7], exp: 2e9 } },
      /aud must be/,
    ],
    ['a missing exp', { typ: 'JWT', claims: { sub, aud: audience } }, /exp must be/],
    [
      'a fractional exp',
      { typ: 'JWT', claims: { sub, aud: audience, exp: 2e9 + 0.5 } },
      /exp must be/,
    ],
    ['an exp in the past', { typ: 'JWT', claims: { sub, aud: audience, exp: 1 } }, /exp must be/],
    [
      'a typ other than JWT or at+jwt',
      { typ: 'jwt' as never, claims: { sub, aud: audience, exp: 2e9 } },
      /typ "jwt"/,
    ],
    [
      'claims that are not an object',
      { typ: 'JWT', claims: null as never },
      /claims must be an object/,
    ],
  ]
  for (const [what, request, message] of refusals) {
    it(`refuses ${what} with internal_error`, async () => {
      const { minter } = await setup()
      const error = thrown(() => minter.mint(request))
      assert.equal(error.code, 'internal_error')
      assert.match(error.message, message)
    })
  }

  it('refuses an exp more than a day after iat', async () => {
    const { minter, clock } = await setup()
    const error = thrown(() =>
      minter.mint({ typ: 'JWT', claims: { sub, aud: audience, exp: clock.now() + 86_401 } }),
    )
    assert.match(error.message, /86401 s after iat, more than 86400/)
  })

  it('refuses to mint before the key manager has an active key', () => {
    const clock = steppableClock()
    const keys = createKeyManager({
      store: new MemoryKeyStore(),
      settings: testSettings(),
      kek: testKek,
      clock: clock.now,
    })
    const minter = createMinter({ keys, issuerUrl, clock: clock.now })
    const error = thrown(() =>
      minter.mint({ typ: 'JWT', claims: { sub, aud: audience, exp: clock.now() + 60 } }),
    )
    assert.equal(error.code, 'internal_error')
  })

  it('refuses an empty issuer URL with invalid_config', () => {
    const error = thrown(() =>
      createMinter({ keys: { signingKey: () => assert.fail() }, issuerUrl: '', clock: () => 0 }),
    )
    assert.equal(error.code, 'invalid_config')
  })
})
