import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { before, describe, it } from 'node:test'
import {
  generateTestKey,
  jwksOf,
  signJwt,
  steppableClock,
  type TestKey,
} from '../../test/support/token-factory.ts'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import type { KeySource } from '../keys/key-source.ts'
import type { VerificationKey } from '../keys/verification-key.ts'
import { MemoryReplayStore } from '../replay/memory-replay-store.ts'
import type { ReplayStore } from '../replay/replay-store.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import { maxHeaderBytes } from '../token/limits.ts'
import { createVerifier } from './create-verifier.ts'
import type { CheckName, CheckResult, IssuerOptions, VerifierOptions } from './types.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
}

function assertError(error: unknown, want: Want): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
  const { code, check, expected, actual, hint } = error
  assert.deepEqual({ code, check, expected, actual, hint }, want)
}

/** Awaits a promise that must reject and returns the rejection. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  return assert.fail('expected a rejection')
}

const b64u = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A compact JWS with any header and claims and a given signature segment. */
const rawToken = (header: unknown, claims: unknown, signature = 'c2ln'): string =>
  `${b64u(header)}.${b64u(claims)}.${signature}`

// 2027-01-15T08:00:00Z
const now = 1_800_000_000
const idp = 'https://idp.example.com'
const api = 'https://api.example.com'

const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  iss: idp,
  sub: 'workload',
  aud: api,
  iat: now - 10,
  exp: now + 300,
  jti: 'jti-1',
  ...extra,
})

/** A KeySource over fixed keys that records every `select` call. */
function recordingSource(keys: readonly VerificationKey[] = []): KeySource & {
  calls: [string | undefined, JwsAlgorithm][]
} {
  const calls: [string | undefined, JwsAlgorithm][] = []
  return {
    calls,
    select(kid, alg) {
      calls.push([kid, alg])
      return keys
    },
    state: () => ({ kind: 'inline', kids: [], rejected: [], fetches: 0 }),
  }
}

const statusOf = (checks: readonly CheckResult[], name: CheckName): CheckResult => {
  const found = checks.find((c) => c.name === name)
  assert.ok(found, `no result for ${name}`)
  return found
}

describe('createVerifier', () => {
  let es256: TestKey
  let rs256: TestKey
  let attacker: TestKey

  before(() => {
    es256 = generateTestKey('ES256', 'es256-1')
    rs256 = generateTestKey('RS256', 'rs256-1')
    attacker = generateTestKey('ES256', 'attacker')
  })

  const issuer = (extra: Partial<Record<keyof IssuerOptions, unknown>> = {}): IssuerOptions =>
    ({ issuer: idp, jwks: jwksOf(es256, rs256), ...extra }) as IssuerOptions

  const verifier = (extra: Partial<VerifierOptions> = {}) =>
    createVerifier({ issuers: [issuer()], audience: api, clock: () => now, ...extra })

  const asVerificationKey = (k: TestKey): VerificationKey => ({
    kid: k.kid,
    kty: 'EC',
    crv: 'P-256',
    alg: k.alg,
    thumbprint: 'tp',
    key: k.publicKey,
  })

  describe('verify', () => {
    it('returns the claims, the header and the issuer of a valid token', async () => {
      const token = signJwt(es256, claims())
      const result = await verifier().verify(token)
      assert.deepEqual(result, {
        claims: claims(),
        header: { alg: 'ES256', kid: 'es256-1', typ: 'JWT' },
        issuer: idp,
      })
    })

    it('verifies RS256 with the RSA key of the same set', async () => {
      const result = await verifier().verify(signJwt(rs256, claims()))
      assert.equal(result.header.alg, 'RS256')
    })

    it('reads the clock on every call', async () => {
      const clock = steppableClock(now)
      const v = verifier({ clock: clock.now })
      const token = signJwt(es256, claims())
      await v.verify(token)
      clock.advance(3600)
      assert.equal(((await rejectionOf(v.verify(token))) as TesseraError).code, 'expired')
    })

    it('waits for an asynchronous key source', async () => {
      const source: KeySource = {
        select: async () => [asVerificationKey(es256)],
        state: () => ({ kind: 'inline', kids: [], rejected: [], fetches: 0 }),
      }
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      assert.equal((await v.verify(signJwt(es256, claims()))).issuer, idp)
    })

    it('turns a TesseraError from an asynchronous key source into the rejection', async () => {
      const unavailable = new TesseraError({ code: 'jwks_unavailable', message: 'down' })
      const source: KeySource = {
        select: async () => {
          throw unavailable
        },
        state: () => ({ kind: 'jwks_uri', kids: [], rejected: [], fetches: 0 }),
      }
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      assert.equal(await rejectionOf(v.verify(signJwt(es256, claims()))), unavailable)
    })

    it('lets an unexpected error from a key source through, sync or async', async () => {
      const boom = new RangeError('boom')
      for (const select of [
        () => {
          throw boom
        },
        async () => {
          throw boom
        },
      ]) {
        const source = {
          select,
          state: () => ({ kind: 'inline' as const, kids: [], rejected: [], fetches: 0 }),
        }
        const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
        assert.equal(await rejectionOf(v.verify(signJwt(es256, claims()))), boom)
      }
    })

    it('rejects a value that is not a string as malformed', async () => {
      const error = await rejectionOf(verifier().verify(42 as unknown as string))
      assertError(error, {
        code: 'malformed',
        check: 'decode',
        expected: undefined,
        actual: undefined,
        hint: undefined,
      })
      assert.equal(error.message, 'token is a number, expected a string')
    })

    it('throws invalid_options at construction, never on a request', () => {
      assert.throws(
        () => createVerifier({ issuers: [], audience: api }),
        (error: unknown) => error instanceof TesseraError && error.code === 'invalid_options',
      )
    })

    it('describes each issuer in state()', () => {
      const v = verifier({ issuers: [issuer({ algorithms: ['ES256'] })] })
      assert.deepEqual(v.state(), [
        {
          issuer: idp,
          algorithms: ['ES256'],
          keys: { kind: 'inline', kids: ['es256-1', 'rs256-1'], rejected: [], fetches: 0 },
        },
      ])
    })

    it('returns a frozen verifier', () => {
      assert.equal(Object.isFrozen(verifier()), true)
    })
  })

  describe('strictness', () => {
    it('never accepts alg none or HS256, even from a lying configuration', () => {
      const lying = ['none', 'HS256'] as unknown as JwsAlgorithm[]
      assert.throws(
        () => verifier({ issuers: [issuer({ algorithms: lying })] }),
        (error: unknown) => {
          assert.ok(error instanceof TesseraError)
          assert.equal(error.code, 'invalid_options')
          assert.deepEqual(error.problems, [
            {
              path: 'issuers[0].algorithms[0]',
              message: '"none" is never accepted: only asymmetric algorithms are (RFC 8725)',
            },
            {
              path: 'issuers[0].algorithms[1]',
              message: '"HS256" is never accepted: only asymmetric algorithms are (RFC 8725)',
            },
          ])
          return true
        },
      )
    })

    it('rejects alg none before asking a key source that would hand out any key', async () => {
      const source = recordingSource([asVerificationKey(es256)])
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      const token = rawToken({ alg: 'none', kid: 'es256-1' }, claims(), 'AAAA')
      const error = await rejectionOf(v.verify(token))
      assertError(error, {
        code: 'alg_not_allowed',
        check: 'algorithm',
        expected: [
          'RS256',
          'RS384',
          'RS512',
          'PS256',
          'PS384',
          'PS512',
          'ES256',
          'ES384',
          'ES512',
          'EdDSA',
          'Ed25519',
        ],
        actual: 'none',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'alg "none" is not one of ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "… 1 more"]: unsigned tokens are never accepted',
      )
      assert.deepEqual(source.calls, [])
    })

    it('rejects an unsigned token (alg none, empty signature)', async () => {
      const token = `${b64u({ alg: 'none' })}.${b64u(claims())}.`
      const error = await rejectionOf(
        verifier({ issuers: [issuer({ algorithms: ['ES256'] })] }).verify(token),
      )
      assertError(error, {
        code: 'alg_not_allowed',
        check: 'algorithm',
        expected: ['ES256'],
        actual: 'none',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'alg "none" is not one of ["ES256"]: unsigned tokens are never accepted',
      )
    })

    it('rejects an HS256 token signed with a secret published as an oct key', async () => {
      const secret = Buffer.alloc(32, 7)
      const jwks = {
        keys: [
          ...jwksOf(es256).keys,
          { kty: 'oct', kid: 'hmac', alg: 'HS256', k: secret.toString('base64url') },
        ],
      }
      const input = `${b64u({ alg: 'HS256', kid: 'hmac', typ: 'JWT' })}.${b64u(claims())}`
      const token = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
      const v = verifier({ issuers: [issuer({ jwks, algorithms: ['ES256'] })] })
      const error = await rejectionOf(v.verify(token))
      assertError(error, {
        code: 'alg_not_allowed',
        check: 'algorithm',
        expected: ['ES256'],
        actual: 'HS256',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'alg "HS256" is not one of ["ES256"]: HMAC (shared-secret) algorithms are never accepted',
      )
    })

    it('rejects HS256 before asking a key source that would hand out any key', async () => {
      const source = recordingSource([asVerificationKey(es256)])
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      const error = await rejectionOf(
        v.verify(rawToken({ alg: 'HS256', kid: 'es256-1' }, claims())),
      )
      assert.ok(error instanceof TesseraError)
      assert.equal(error.code, 'alg_not_allowed')
      assert.equal(error.actual, 'HS256')
      assert.deepEqual(source.calls, [])
    })

    it('uses an EC key only for ECDSA: an RS256 token naming its kid is key_type_mismatch', async () => {
      const token = signJwt(rs256, claims(), { kid: 'es256-1' })
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'key_type_mismatch',
        check: 'key',
        expected: 'ES256',
        actual: 'RS256',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'key "es256-1" cannot verify RS256: RS256 needs an RSA key, the key is EC',
      )
    })

    it('uses a key published for RS256 only with RS256: PS256 is key_type_mismatch', async () => {
      const token = rawToken({ alg: 'PS256', kid: 'rs256-1', typ: 'JWT' }, claims())
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'key_type_mismatch',
        check: 'key',
        expected: 'RS256',
        actual: 'PS256',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'key "rs256-1" cannot verify PS256: the key is published for RS256 only',
      )
    })

    it('uses an EC key without alg only on its own curve', async () => {
      const { alg: _alg, ...noAlg } = es256.jwk
      const v = verifier({ issuers: [issuer({ jwks: { keys: [noAlg] } })] })
      const token = rawToken({ alg: 'ES384', kid: 'es256-1' }, claims())
      const error = await rejectionOf(v.verify(token))
      assertError(error, {
        code: 'key_type_mismatch',
        check: 'key',
        expected: 'EC P-256',
        actual: 'ES384',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'key "es256-1" cannot verify ES384: ES384 needs curve P-384, the key is on P-256',
      )
    })

    const embedded = (): Record<string, unknown> => ({
      jwk: attacker.jwk,
      jku: 'http://127.0.0.1:9/jwks.json',
      x5u: 'http://127.0.0.1:9/cert.pem',
      x5c: [attacker.publicKey.export({ format: 'der', type: 'spki' }).toString('base64')],
    })

    it('never takes a key from jwk, jku, x5u or x5c: an unknown kid stays unknown', async () => {
      const token = signJwt(attacker, claims(), embedded())
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'unknown_key',
        check: 'key',
        expected: ['es256-1', 'rs256-1'],
        actual: 'attacker',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'kid "attacker" is not one of ["es256-1", "rs256-1"] in https://idp.example.com',
      )
    })

    it('never takes a key from the header: a trusted kid with an embedded key is bad_signature', async () => {
      const token = signJwt(attacker, claims(), { ...embedded(), kid: 'es256-1' })
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'bad_signature',
        check: 'signature',
        expected: 'a valid ES256 signature',
        actual: '64-byte signature that does not verify',
        hint: undefined,
      })
      assert.equal(
        error.message,
        'ES256 signature does not verify with key "es256-1": the token was altered or signed by a different key',
      )
    })

    it('never takes a key from the header when the token has no kid', async () => {
      const token = signJwt(attacker, claims(), { ...embedded(), kid: undefined })
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'bad_signature',
        check: 'signature',
        expected: 'a valid ES256 signature',
        actual: '64-byte signature that does not verify',
        hint: undefined,
      })
    })

    it('rejects an unknown critical header', async () => {
      const token = signJwt(es256, claims(), { crit: ['urn:example:ext'], 'urn:example:ext': 1 })
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'crit_unsupported',
        check: 'crit',
        expected: [],
        actual: ['urn:example:ext'],
        hint: undefined,
      })
    })

    it('requires exp', async () => {
      const error = await rejectionOf(verifier().verify(signJwt(es256, claims({ exp: undefined }))))
      assertError(error, {
        code: 'missing_claim',
        check: 'expiry',
        expected: 'exp (NumericDate)',
        actual: 'missing',
        hint: undefined,
      })
      assert.equal(error.message, 'exp is missing: tokens without an expiry are never accepted')
    })

    it('rejects iat in the future beyond the leeway, and accepts it within', async () => {
      const v = verifier({ leeway: 30 })
      await v.verify(signJwt(es256, claims({ iat: now + 30 })))
      const error = await rejectionOf(v.verify(signJwt(es256, claims({ iat: now + 31 }))))
      assertError(error, {
        code: 'issued_in_future',
        check: 'issued_at',
        expected: 'iat at or before 2027-01-15T08:00:30Z',
        actual: 'iat 2027-01-15T08:00:31Z',
        hint: 'clock_skew',
      })
    })

    it('rejects a token longer than maxTokenBytes before decoding it', async () => {
      const token = signJwt(es256, claims({ pad: 'x'.repeat(600) }))
      const error = await rejectionOf(verifier({ maxTokenBytes: 512 }).verify(token))
      assertError(error, {
        code: 'too_large',
        check: 'decode',
        expected: '<= 512 bytes',
        actual: `${token.length} bytes`,
        hint: undefined,
      })
      assert.equal(error.message, `token is ${token.length} bytes, more than the limit of 512`)
    })

    /** A validly signed token whose protected header is exactly `bytes` long. */
    const tokenWithHeaderOf = (bytes: number): string => {
      const base = JSON.stringify({ alg: 'ES256', kid: 'es256-1', typ: 'JWT', pad: '' }).length
      return signJwt(es256, claims(), { pad: 'x'.repeat(bytes - base) })
    }
    const headerBytes = (token: string): number =>
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').length

    it('rejects a protected header over 4 KiB', async () => {
      const token = tokenWithHeaderOf(5000)
      assert.equal(headerBytes(token), 5000)
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'too_large',
        check: 'header',
        expected: '<= 4096 bytes',
        actual: '5000 bytes',
        hint: undefined,
      })
      assert.equal(error.message, 'header is 5000 bytes, more than the limit of 4096')
    })

    it('accepts a protected header of exactly 4 KiB', async () => {
      const token = tokenWithHeaderOf(maxHeaderBytes)
      assert.equal(headerBytes(token), maxHeaderBytes)
      assert.equal((await verifier().verify(token)).issuer, idp)
    })

    it('rejects a protected header of 4 KiB plus one byte', async () => {
      const token = tokenWithHeaderOf(maxHeaderBytes + 1)
      const error = await rejectionOf(verifier().verify(token))
      assert.ok(error instanceof TesseraError)
      assert.equal(error.code, 'too_large')
    })

    it('rejects an untrusted iss before any key lookup', async () => {
      const source = recordingSource([asVerificationKey(es256)])
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      const unknown = await rejectionOf(
        v.verify(signJwt(es256, claims({ iss: 'https://evil.example.net' }))),
      )
      assert.equal((unknown as TesseraError).code, 'issuer_unknown')
      const nearMiss = await rejectionOf(v.verify(signJwt(es256, claims({ iss: `${idp}/` }))))
      assert.equal((nearMiss as TesseraError).code, 'issuer_mismatch')
      const missing = await rejectionOf(v.verify(signJwt(es256, claims({ iss: undefined }))))
      assert.equal((missing as TesseraError).code, 'missing_claim')
      assert.deepEqual(source.calls, [])
      // The same source is asked, once, for a trusted issuer's token.
      await v.verify(signJwt(es256, claims()))
      assert.deepEqual(source.calls, [['es256-1', 'ES256']])
    })

    it('searches an aud array for the closest value', async () => {
      const token = signJwt(es256, claims({ aud: ['https://unrelated.example.org', `${api}/`] }))
      const error = await rejectionOf(verifier().verify(token))
      assertError(error, {
        code: 'audience_mismatch',
        check: 'audience',
        expected: [api],
        actual: ['https://unrelated.example.org', `${api}/`],
        hint: 'trailing_slash',
      })
      assert.equal(
        error.message,
        'aud ["https://unrelated.example.org", "https://api.example.com/"] is not one of ["https://api.example.com"]: closest is "https://api.example.com/", the values differ only by a trailing slash',
      )
    })

    it('accepts an aud array that holds the audience among others', async () => {
      const token = signJwt(es256, claims({ aud: ['https://unrelated.example.org', api] }))
      assert.equal((await verifier().verify(token)).issuer, idp)
    })
  })

  describe('replay', () => {
    it('accepts a jti once and rejects the same token the second time', async () => {
      const v = verifier({ replay: new MemoryReplayStore({ clock: () => now }) })
      const token = signJwt(es256, claims())
      await v.verify(token)
      const error = await rejectionOf(v.verify(token))
      assertError(error, {
        code: 'replay',
        check: 'replay',
        expected: 'a jti not seen before',
        actual: 'jti-1',
        hint: undefined,
      })
      assert.equal(error.message, 'jti "jti-1" was already accepted once: this token is single-use')
    })

    it('requires a jti when a replay store is configured', async () => {
      const v = verifier({ replay: new MemoryReplayStore({ clock: () => now }) })
      const error = await rejectionOf(v.verify(signJwt(es256, claims({ jti: undefined }))))
      assertError(error, {
        code: 'missing_claim',
        check: 'replay',
        expected: 'jti (a unique string)',
        actual: 'missing',
        hint: undefined,
      })
    })

    it('does not require a jti without a replay store', async () => {
      assert.equal(
        (await verifier().verify(signJwt(es256, claims({ jti: undefined })))).issuer,
        idp,
      )
    })

    it('does not burn the jti of a token that an earlier check rejects', async () => {
      const store = new MemoryReplayStore({ clock: () => now })
      const uses: string[] = []
      const recording: ReplayStore = {
        use: (key, until) => {
          uses.push(key)
          return store.use(key, until)
        },
      }
      const wrongAudience = verifier({ audience: 'https://other.example.org', replay: recording })
      const token = signJwt(es256, claims())
      const error = await rejectionOf(wrongAudience.verify(token))
      assert.equal((error as TesseraError).code, 'audience_mismatch')
      assert.deepEqual(uses, [])
      assert.equal(store.size, 0)
      // The same token is still good once, for a verifier it was meant for.
      const right = verifier({ replay: recording })
      await right.verify(token)
      assert.deepEqual(uses, [`${idp}\u0000jti-1`])
    })

    it('does not burn the jti of an expired token', async () => {
      const clock = steppableClock(now + 3600)
      const store = new MemoryReplayStore({ clock: clock.now })
      const v = verifier({ clock: clock.now, replay: store })
      const token = signJwt(es256, claims())
      assert.equal(((await rejectionOf(v.verify(token))) as TesseraError).code, 'expired')
      clock.set(now)
      await v.verify(token)
    })

    it('waits for an asynchronous replay store', async () => {
      const seen = new Set<string>()
      const store: ReplayStore = {
        use: async (key) => !seen.has(key) && Boolean(seen.add(key)),
      }
      const v = verifier({ replay: store })
      const token = signJwt(es256, claims())
      await v.verify(token)
      assert.equal(((await rejectionOf(v.verify(token))) as TesseraError).code, 'replay')
    })

    it('fails closed when the replay store is full', async () => {
      const store = new MemoryReplayStore({ clock: () => now, maxEntries: 1 })
      const v = verifier({ replay: store })
      await v.verify(signJwt(es256, claims({ jti: 'a' })))
      const error = await rejectionOf(v.verify(signJwt(es256, claims({ jti: 'b' }))))
      assertError(error, {
        code: 'replay',
        check: 'replay',
        expected: '< 1 entries',
        actual: '1 entries',
        hint: undefined,
      })
    })
  })

  describe('evaluate', () => {
    it('reports a valid token as valid, every configured check ok', async () => {
      const evaluation = await verifier().evaluate(signJwt(es256, claims()))
      assert.equal(evaluation.valid, true)
      assert.equal(evaluation.primary, undefined)
      assert.equal(Object.hasOwn(evaluation, 'primary'), false)
      assert.deepEqual(evaluation.claims, claims())
      assert.deepEqual(evaluation.header, { alg: 'ES256', kid: 'es256-1', typ: 'JWT' })
      assert.deepEqual(
        evaluation.checks.map((c) => [c.name, c.status, c.reason]),
        [
          ['decode', 'ok', undefined],
          ['crit', 'ok', undefined],
          ['typ', 'ok', undefined],
          ['issuer', 'ok', undefined],
          ['algorithm', 'ok', undefined],
          ['key', 'ok', undefined],
          ['signature', 'ok', undefined],
          ['audience', 'ok', undefined],
          ['expiry', 'ok', undefined],
          ['not_before', 'ok', undefined],
          ['issued_at', 'ok', undefined],
          ['lifetime', 'skipped', 'not configured'],
          ['token_age', 'skipped', 'not configured'],
          ['subject', 'skipped', 'not configured'],
          ['claims', 'skipped', 'not configured'],
          ['replay', 'skipped', 'not configured'],
        ],
      )
    })

    it('runs every check: a token with three problems reports three failed checks', async () => {
      const v = verifier({ subject: 'workload' })
      const token = signJwt(
        es256,
        claims({
          aud: 'https://other.example.org',
          exp: now - 3600,
          iat: now - 7200,
          sub: 'intruder',
        }),
      )
      const evaluation = await v.evaluate(token)
      assert.equal(evaluation.valid, false)
      const failed = evaluation.checks.filter((c) => c.status === 'failed')
      assert.deepEqual(
        failed.map((c) => [c.name, c.error?.code]),
        [
          ['audience', 'audience_mismatch'],
          ['expiry', 'expired'],
          ['subject', 'subject_mismatch'],
        ],
      )
      assert.equal(evaluation.primary, failed[0]?.error)
      assert.equal(statusOf(evaluation.checks, 'signature').status, 'ok')
    })

    it('marks the checks whose prerequisites failed as skipped, saying which', async () => {
      const v = verifier({
        issuers: [issuer(), { issuer: 'https://b.example.com', jwks: jwksOf(es256) }],
      })
      const evaluation = await v.evaluate(
        signJwt(es256, claims({ iss: 'https://evil.example.net' })),
      )
      assert.equal(statusOf(evaluation.checks, 'issuer').status, 'failed')
      assert.deepEqual(statusOf(evaluation.checks, 'algorithm'), {
        name: 'algorithm',
        status: 'skipped',
        reason: 'issuer did not pass',
      })
      assert.deepEqual(statusOf(evaluation.checks, 'key'), {
        name: 'key',
        status: 'skipped',
        reason: 'algorithm did not pass',
      })
      assert.deepEqual(statusOf(evaluation.checks, 'signature'), {
        name: 'signature',
        status: 'skipped',
        reason: 'key did not pass',
      })
      assert.equal(statusOf(evaluation.checks, 'audience').status, 'ok')
      assert.equal(evaluation.primary?.code, 'issuer_unknown')
    })

    it('skips the key lookup when crit failed', async () => {
      const token = signJwt(es256, claims(), { crit: ['exp'], exp: now })
      const evaluation = await verifier().evaluate(token)
      assert.equal(statusOf(evaluation.checks, 'crit').status, 'failed')
      assert.equal(statusOf(evaluation.checks, 'algorithm').status, 'ok')
      assert.deepEqual(statusOf(evaluation.checks, 'key'), {
        name: 'key',
        status: 'skipped',
        reason: 'crit did not pass',
      })
      assert.equal(evaluation.primary?.code, 'crit_unsupported')
    })

    it('skips everything after a failed decode and reports no header or claims', async () => {
      const evaluation = await verifier({ replay: new MemoryReplayStore() }).evaluate('a.b')
      assert.equal(evaluation.valid, false)
      assert.equal(evaluation.primary?.code, 'malformed')
      assert.equal(Object.hasOwn(evaluation, 'header'), false)
      assert.equal(Object.hasOwn(evaluation, 'claims'), false)
      const reasons = evaluation.checks.map((c) => [c.name, c.status, c.reason])
      assert.deepEqual(reasons[0], ['decode', 'failed', undefined])
      for (const [name, status, reason] of reasons.slice(1)) {
        assert.equal(status, 'skipped', String(name))
        if (name === 'replay') {
          assert.equal(reason, 'not run when diagnosing (it would record the jti)')
        } else if (['lifetime', 'token_age', 'subject', 'claims'].includes(String(name))) {
          assert.equal(reason, 'not configured')
        } else {
          assert.match(String(reason), / did not pass$/, String(name))
        }
      }
    })

    it('never records the jti, so the token still verifies afterwards', async () => {
      const store = new MemoryReplayStore({ clock: () => now })
      const v = verifier({ replay: store })
      const token = signJwt(es256, claims())
      const first = await v.evaluate(token)
      await v.evaluate(token)
      assert.equal(first.valid, true)
      assert.deepEqual(statusOf(first.checks, 'replay'), {
        name: 'replay',
        status: 'skipped',
        reason: 'not run when diagnosing (it would record the jti)',
      })
      assert.equal(store.size, 0)
      await v.verify(token)
      assert.equal(store.size, 1)
    })

    it('ranks expired above an unknown key as the primary cause', async () => {
      const token = signJwt(attacker, claims({ exp: now - 3600, iat: now - 7200 }))
      const evaluation = await verifier().evaluate(token)
      const failed = evaluation.checks.filter((c) => c.status === 'failed')
      assert.deepEqual(
        failed.map((c) => c.error?.code),
        ['unknown_key', 'expired'],
      )
      assert.equal(evaluation.primary?.code, 'expired')
      assert.equal(evaluation.primary, statusOf(evaluation.checks, 'expiry').error)
    })

    it('with a single issuer, checks the signature despite an issuer near miss', async () => {
      const token = signJwt(es256, claims({ iss: `${idp}/` }))
      const evaluation = await verifier().evaluate(token)
      const issuerCheck = statusOf(evaluation.checks, 'issuer')
      assert.equal(issuerCheck.status, 'failed')
      assertError(issuerCheck.error, {
        code: 'issuer_mismatch',
        check: 'issuer',
        expected: idp,
        actual: `${idp}/`,
        hint: 'trailing_slash',
      })
      assert.equal(statusOf(evaluation.checks, 'algorithm').status, 'ok')
      assert.equal(statusOf(evaluation.checks, 'key').status, 'ok')
      assert.equal(statusOf(evaluation.checks, 'signature').status, 'ok')
      assert.equal(evaluation.primary, issuerCheck.error)
      assert.equal(evaluation.valid, false)
    })

    it("with a single issuer, reports a bad signature under that issuer's keys", async () => {
      const token = signJwt(attacker, claims({ iss: `${idp}/` }), { kid: 'es256-1' })
      const evaluation = await verifier().evaluate(token)
      assert.equal(statusOf(evaluation.checks, 'signature').error?.code, 'bad_signature')
      assert.equal(evaluation.primary?.code, 'issuer_mismatch')
    })

    it('with several issuers, does not guess which one an unmatched iss meant', async () => {
      const v = verifier({
        issuers: [issuer(), { issuer: 'https://b.example.com', jwks: jwksOf(es256) }],
      })
      const evaluation = await v.evaluate(signJwt(es256, claims({ iss: `${idp}/` })))
      assert.equal(statusOf(evaluation.checks, 'algorithm').status, 'skipped')
      assert.equal(statusOf(evaluation.checks, 'signature').status, 'skipped')
    })

    it('waits for an asynchronous key source and records its failure', async () => {
      const source: KeySource = {
        select: async () => {
          throw new TesseraError({ code: 'jwks_unavailable', message: 'down' })
        },
        state: () => ({ kind: 'jwks_uri', kids: [], rejected: [], fetches: 0 }),
      }
      const v = verifier({ issuers: [{ issuer: idp, keySource: source }] })
      const evaluation = await v.evaluate(signJwt(es256, claims()))
      assert.equal(statusOf(evaluation.checks, 'key').error?.code, 'jwks_unavailable')
      assert.equal(statusOf(evaluation.checks, 'signature').reason, 'key did not pass')
      assert.equal(evaluation.primary?.code, 'jwks_unavailable')
    })

    it('runs the configured optional checks', async () => {
      const v = verifier({
        maxLifetime: 60,
        maxTokenAge: 1,
        requiredClaims: ['tenant'],
        subject: 'workload',
      })
      const evaluation = await v.evaluate(signJwt(es256, claims()))
      assert.deepEqual(
        evaluation.checks
          .filter((c) => ['lifetime', 'token_age', 'subject', 'claims'].includes(c.name))
          .map((c) => [c.name, c.status, c.error?.code]),
        [
          ['lifetime', 'failed', 'lifetime_exceeded'],
          ['token_age', 'ok', undefined],
          ['subject', 'ok', undefined],
          ['claims', 'failed', 'missing_claim'],
        ],
      )
    })
  })
})
