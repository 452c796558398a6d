import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { generateTestKey, jwksOf, type TestKey } from '../../test/support/token-factory.ts'
import { type Problem, TesseraError } from '../explain/tessera-error.ts'
import type { KeySource } from '../keys/key-source.ts'
import { MemoryReplayStore } from '../replay/memory-replay-store.ts'
import { jwsAlgorithms } from '../token/algorithms.ts'
import { systemClock } from '../token/clock.ts'
import { defaultMaxTokenBytes } from '../token/limits.ts'
import { resolveVerifierOptions } from './options.ts'
import type { VerifierOptions } from './types.ts'

const idp = 'https://idp.example.com'
const api = 'https://api.example.com'

/** Resolves options that must be invalid and returns the error. */
function invalid(options: unknown): TesseraError {
  try {
    resolveVerifierOptions(options as VerifierOptions)
  } catch (error) {
    assert.ok(error instanceof TesseraError, 'expected a TesseraError')
    assert.equal(error.code, 'invalid_options')
    assert.equal(error.check, 'options')
    assert.equal(error.expected, undefined)
    assert.equal(error.actual, undefined)
    assert.equal(error.hint, undefined)
    return error
  }
  assert.fail('expected invalid_options')
}

const problemsOf = (options: unknown): readonly Problem[] => invalid(options).problems ?? []

const neverAccepted = (name: string): string =>
  `${JSON.stringify(name)} is never accepted: only asymmetric algorithms are (RFC 8725)`
const notOneOf = (name: string): string =>
  `${JSON.stringify(name)} is not one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519`
const stringListMessage = 'must be a non-empty string or a non-empty array of non-empty strings'

describe('resolveVerifierOptions', () => {
  let key: TestKey
  let jwks: { keys: Record<string, unknown>[] }
  const keySource: KeySource = {
    select: () => [],
    state: () => ({ kind: 'inline', kids: [], rejected: [], fetches: 0 }),
  }

  before(() => {
    key = generateTestKey('ES256')
    jwks = jwksOf(key)
  })

  const valid = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    issuers: [{ issuer: idp, jwks }],
    audience: api,
    ...extra,
  })
  const withIssuer = (issuer: Record<string, unknown>): Record<string, unknown> =>
    valid({ issuers: [issuer] })

  describe('collecting problems', () => {
    it('reports every problem at once, each with its path, in one message', () => {
      const error = invalid({
        issuers: [
          { issuer: idp, jwks },
          { issuer: 'https://b.example.com', jwks, algorithms: ['ES256', 'HS256', 'XS1'] },
        ],
        audience: [],
        leeway: 301,
        maxLifetime: -1,
        maxTokenAge: 1.5,
        maxTokenBytes: 10,
        typ: '',
        requiredClaims: [''],
        subject: [1],
        clock: 'now',
        replay: {},
        leway: 5,
      })
      assert.deepEqual(error.problems, [
        { path: 'leway', message: 'is not a known option' },
        { path: 'audience', message: stringListMessage },
        {
          path: 'leeway',
          message: 'must be at most 300 seconds; a larger tolerance hides broken clocks',
        },
        { path: 'maxLifetime', message: 'must be a non-negative integer of seconds' },
        { path: 'maxTokenAge', message: 'must be a non-negative integer of seconds' },
        { path: 'maxTokenBytes', message: 'must be at least 64' },
        { path: 'typ', message: 'must be a non-empty string' },
        { path: 'requiredClaims', message: stringListMessage },
        { path: 'subject', message: stringListMessage },
        { path: 'clock', message: 'must be a function returning epoch seconds' },
        {
          path: 'replay',
          message: 'must be a ReplayStore (an object with a use(key, expiresAt) method)',
        },
        { path: 'issuers[1].algorithms[1]', message: neverAccepted('HS256') },
        { path: 'issuers[1].algorithms[2]', message: notOneOf('XS1') },
      ])
      assert.equal(
        error.message,
        `verifier options are invalid: leway is not a known option; audience ${stringListMessage}; leeway must be at most 300 seconds; a larger tolerance hides broken clocks; maxLifetime must be a non-negative integer of seconds; maxTokenAge must be a non-negative integer of seconds; maxTokenBytes must be at least 64; typ must be a non-empty string; requiredClaims ${stringListMessage}; subject ${stringListMessage}; clock must be a function returning epoch seconds; replay must be a ReplayStore (an object with a use(key, expiresAt) method); issuers[1].algorithms[1] ${neverAccepted('HS256')}; issuers[1].algorithms[2] ${notOneOf('XS1')}`,
      )
    })

    it('reports problems in several issuers in the same error', () => {
      assert.deepEqual(
        problemsOf({
          issuers: [
            { issuer: idp, jwks, algorithms: ['none'] },
            'https://b.example.com',
            { issuer: 'https://c.example.com', jwks, cache: { maxAge: 5 } },
          ],
          audience: api,
        }),
        [
          { path: 'issuers[0].algorithms[0]', message: neverAccepted('none') },
          { path: 'issuers[1]', message: 'must be an object' },
          { path: 'issuers[2].cache.maxAge', message: 'is not a known option' },
        ],
      )
    })

    it('refuses options that are not an object', () => {
      for (const options of [undefined, null, [], 'options', 42]) {
        const error = invalid(options)
        assert.equal(error.message, 'verifier options must be an object')
        assert.deepEqual(error.problems, [{ path: '', message: 'must be an object' }])
      }
    })
  })

  describe('top-level options', () => {
    it('reports unknown options, so a typo cannot silently disable a check', () => {
      assert.deepEqual(problemsOf(valid({ maxLifeTime: 60, subjects: ['x'] })), [
        { path: 'maxLifeTime', message: 'is not a known option' },
        { path: 'subjects', message: 'is not a known option' },
      ])
    })

    it('requires issuers to be a non-empty array', () => {
      for (const issuers of [undefined, [], 'https://idp.example.com', {}]) {
        assert.deepEqual(problemsOf(valid({ issuers })), [
          { path: 'issuers', message: 'must be a non-empty array of trusted issuers' },
        ])
      }
    })

    it('requires an audience: a non-empty string or list of non-empty strings', () => {
      for (const audience of [undefined, '', [], [''], [api, 7], 42]) {
        assert.deepEqual(problemsOf(valid({ audience })), [
          { path: 'audience', message: stringListMessage },
        ])
      }
    })

    it('refuses a leeway above 300 seconds', () => {
      assert.deepEqual(problemsOf(valid({ leeway: 301 })), [
        {
          path: 'leeway',
          message: 'must be at most 300 seconds; a larger tolerance hides broken clocks',
        },
      ])
      assert.equal(resolveVerifierOptions(valid({ leeway: 300 }) as never).leeway, 300)
    })

    it('refuses durations that are negative, fractional, infinite or not numbers', () => {
      for (const value of [-1, 1.5, Number.POSITIVE_INFINITY, Number.NaN, '60']) {
        assert.deepEqual(problemsOf(valid({ leeway: value, maxTokenAge: value })), [
          { path: 'leeway', message: 'must be a non-negative integer of seconds' },
          { path: 'maxTokenAge', message: 'must be a non-negative integer of seconds' },
        ])
      }
    })

    it('refuses maxTokenBytes below 64, and a malformed one once', () => {
      assert.deepEqual(problemsOf(valid({ maxTokenBytes: 63 })), [
        { path: 'maxTokenBytes', message: 'must be at least 64' },
      ])
      assert.deepEqual(problemsOf(valid({ maxTokenBytes: -5 })), [
        { path: 'maxTokenBytes', message: 'must be a non-negative integer of seconds' },
      ])
      assert.equal(resolveVerifierOptions(valid({ maxTokenBytes: 64 }) as never).maxTokenBytes, 64)
    })

    it('refuses a typ that is not a non-empty string', () => {
      for (const typ of ['', 5, null]) {
        assert.deepEqual(problemsOf(valid({ typ })), [
          { path: 'typ', message: 'must be a non-empty string' },
        ])
      }
    })

    it('refuses empty requiredClaims and subject lists', () => {
      assert.deepEqual(problemsOf(valid({ requiredClaims: [], subject: [] })), [
        { path: 'requiredClaims', message: stringListMessage },
        { path: 'subject', message: stringListMessage },
      ])
    })

    it('refuses a clock that is not a function and a replay store without use()', () => {
      assert.deepEqual(problemsOf(valid({ clock: 1_800_000_000, replay: { has: () => true } })), [
        { path: 'clock', message: 'must be a function returning epoch seconds' },
        {
          path: 'replay',
          message: 'must be a ReplayStore (an object with a use(key, expiresAt) method)',
        },
      ])
      assert.deepEqual(problemsOf(valid({ replay: 'memory' })), [
        {
          path: 'replay',
          message: 'must be a ReplayStore (an object with a use(key, expiresAt) method)',
        },
      ])
    })
  })

  describe('issuers', () => {
    it('requires each issuer to be an object with a non-empty issuer string', () => {
      assert.deepEqual(problemsOf(valid({ issuers: [null] })), [
        { path: 'issuers[0]', message: 'must be an object' },
      ])
      for (const issuer of [undefined, '', 42]) {
        assert.deepEqual(problemsOf(withIssuer({ issuer, jwks })), [
          { path: 'issuers[0].issuer', message: 'must be a non-empty string' },
        ])
      }
    })

    it('reports unknown issuer options', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwks, audience: api })), [
        { path: 'issuers[0].audience', message: 'is not a known option' },
      ])
    })

    it('reports a misspelt key source as unknown and the key source as missing', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwks_uri: 'https://x/jwks' })), [
        { path: 'issuers[0].jwks_uri', message: 'is not a known option' },
        {
          path: 'issuers[0]',
          message: 'needs a key source: one of jwks, jwksUri, discovery: true',
        },
      ])
    })

    it('refuses an issuer with both jwks and jwksUri', () => {
      assert.deepEqual(
        problemsOf(withIssuer({ issuer: idp, jwks, jwksUri: 'https://idp.example.com/jwks' })),
        [{ path: 'issuers[0]', message: 'has jwks and jwksUri: give exactly one key source' }],
      )
    })

    it('refuses an issuer with three key sources, naming them all', () => {
      assert.deepEqual(
        problemsOf(
          withIssuer({ issuer: idp, jwks, jwksUri: 'https://idp.example.com/jwks', keySource }),
        ),
        [
          {
            path: 'issuers[0]',
            message: 'has jwks and jwksUri and keySource: give exactly one key source',
          },
        ],
      )
    })

    it('refuses an issuer with no key source', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: idp })), [
        {
          path: 'issuers[0]',
          message: 'needs a key source: one of jwks, jwksUri, discovery: true',
        },
      ])
    })

    it('refuses a duplicated issuer', () => {
      assert.deepEqual(
        problemsOf(
          valid({
            issuers: [
              { issuer: idp, jwks },
              { issuer: idp, jwks },
            ],
          }),
        ),
        [{ path: 'issuers[1].issuer', message: 'duplicates issuer "https://idp.example.com"' }],
      )
    })

    it('refuses HS256 and none in algorithms, saying they are never accepted', () => {
      assert.deepEqual(
        problemsOf(withIssuer({ issuer: idp, jwks, algorithms: ['ES256', 'HS256', 'none'] })),
        [
          { path: 'issuers[0].algorithms[1]', message: neverAccepted('HS256') },
          { path: 'issuers[0].algorithms[2]', message: neverAccepted('none') },
        ],
      )
    })

    it('refuses unknown algorithm names, including case variants', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwks, algorithms: ['es256', 7] })), [
        { path: 'issuers[0].algorithms[0]', message: notOneOf('es256') },
        { path: 'issuers[0].algorithms[1]', message: notOneOf('7') },
      ])
    })

    it('refuses algorithms that are not a non-empty array', () => {
      for (const algorithms of [[], 'ES256']) {
        assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwks, algorithms })), [
          {
            path: 'issuers[0].algorithms',
            message: 'must be a non-empty array of algorithm names',
          },
        ])
      }
    })

    it('refuses a jwks that is not a JWK Set, at the jwks path', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwks: [key.jwk] })), [
        {
          path: 'issuers[0].jwks',
          message:
            'key set from https://idp.example.com is not a JWK Set: expected an object with a "keys" array',
        },
      ])
    })

    it('lets an unexpected error from importing a key set through', () => {
      const hostile = {
        get keys(): never {
          throw new RangeError('boom')
        },
      }
      assert.throws(
        () => resolveVerifierOptions(withIssuer({ issuer: idp, jwks: hostile }) as never),
        {
          name: 'RangeError',
          message: 'boom',
        },
      )
    })

    it('refuses a jwksUri that is not an absolute http(s) URL', () => {
      for (const jwksUri of ['/jwks', 'ftp://idp.example.com/jwks', 42]) {
        assert.deepEqual(problemsOf(withIssuer({ issuer: idp, jwksUri })), [
          { path: 'issuers[0].jwksUri', message: 'must be an absolute http(s) URL' },
        ])
      }
    })

    it('refuses discovery that is not true', () => {
      for (const discovery of [false, 'yes']) {
        assert.deepEqual(problemsOf(withIssuer({ issuer: idp, discovery })), [
          { path: 'issuers[0].discovery', message: 'must be true when given' },
        ])
      }
    })

    it('refuses discovery for an issuer that is not an absolute http(s) URL', () => {
      assert.deepEqual(problemsOf(withIssuer({ issuer: 'idp.example.com', discovery: true })), [
        {
          path: 'issuers[0].issuer',
          message: 'must be an absolute http(s) URL when discovery is used',
        },
      ])
    })

    it('refuses a keySource that does not implement KeySource', () => {
      for (const bad of [{ select: () => [] }, { state: () => ({}) }, 'source']) {
        assert.deepEqual(problemsOf(withIssuer({ issuer: idp, keySource: bad })), [
          { path: 'issuers[0].keySource', message: 'must implement KeySource (select and state)' },
        ])
      }
    })

    it('refuses cache options that are unknown or not positive integers', () => {
      assert.deepEqual(
        problemsOf(
          withIssuer({
            issuer: idp,
            jwksUri: 'https://idp.example.com/jwks',
            cache: { maxAgeSeconds: 0, cooldownSeconds: 1.5, timeoutMs: '5000', ttl: 60 },
          }),
        ),
        [
          { path: 'issuers[0].cache.maxAgeSeconds', message: 'must be a positive integer' },
          { path: 'issuers[0].cache.cooldownSeconds', message: 'must be a positive integer' },
          { path: 'issuers[0].cache.timeoutMs', message: 'must be a positive integer' },
          { path: 'issuers[0].cache.ttl', message: 'is not a known option' },
        ],
      )
      assert.deepEqual(
        problemsOf(withIssuer({ issuer: idp, jwksUri: 'https://idp.example.com/jwks', cache: 5 })),
        [{ path: 'issuers[0].cache', message: 'must be an object' }],
      )
    })

    it('allows staleIfErrorSeconds to be zero but not negative', () => {
      const jwksUri = 'https://idp.example.com/jwks'
      resolveVerifierOptions(
        withIssuer({ issuer: idp, jwksUri, cache: { staleIfErrorSeconds: 0 } }) as never,
      )
      assert.deepEqual(
        problemsOf(withIssuer({ issuer: idp, jwksUri, cache: { staleIfErrorSeconds: -1 } })),
        [{ path: 'issuers[0].cache.staleIfErrorSeconds', message: 'must be a positive integer' }],
      )
    })

    it('reports the other problems of an issuer whose issuer name is invalid', () => {
      assert.deepEqual(problemsOf(withIssuer({ algorithms: ['HS256'], jwks })), [
        { path: 'issuers[0].issuer', message: 'must be a non-empty string' },
        { path: 'issuers[0].algorithms[0]', message: neverAccepted('HS256') },
      ])
    })
  })

  describe('resolved options', () => {
    it('applies defaults and omits what is not configured', () => {
      const resolved = resolveVerifierOptions(valid() as never)
      assert.deepEqual(resolved.audience, [api])
      assert.equal(resolved.leeway, 60)
      assert.equal(resolved.maxTokenBytes, defaultMaxTokenBytes)
      assert.deepEqual(resolved.requiredClaims, [])
      assert.equal(resolved.clock, systemClock)
      for (const absent of ['maxLifetime', 'maxTokenAge', 'typ', 'subject', 'replay']) {
        assert.equal(Object.hasOwn(resolved, absent), false, absent)
      }
      assert.deepEqual(resolved.issuerNames, [idp])
      const issuer = resolved.issuers.get(idp)
      assert.equal(issuer?.issuer, idp)
      assert.deepEqual(issuer?.algorithms, jwsAlgorithms)
      assert.deepEqual(issuer?.keys.state().kids, [key.kid])
    })

    it('keeps every configured value', () => {
      const clock = (): number => 1_800_000_000
      const replay = new MemoryReplayStore()
      const resolved = resolveVerifierOptions(
        valid({
          issuers: [
            { issuer: idp, jwks, algorithms: ['ES256', 'ES256', 'RS256'] },
            { issuer: 'https://b.example.com', keySource },
          ],
          audience: [api, 'https://b.example.com', api],
          leeway: 0,
          maxLifetime: 3600,
          maxTokenAge: 600,
          typ: 'at+jwt',
          requiredClaims: 'tenant',
          subject: 'workload',
          replay,
          clock,
          maxTokenBytes: 4096,
        }) as never,
      )
      assert.deepEqual(resolved.audience, [api, 'https://b.example.com'])
      assert.equal(resolved.leeway, 0)
      assert.equal(resolved.maxLifetime, 3600)
      assert.equal(resolved.maxTokenAge, 600)
      assert.equal(resolved.typ, 'at+jwt')
      assert.deepEqual(resolved.requiredClaims, ['tenant'])
      assert.deepEqual(resolved.subject, ['workload'])
      assert.equal(resolved.replay, replay)
      assert.equal(resolved.clock, clock)
      assert.equal(resolved.maxTokenBytes, 4096)
      assert.deepEqual(resolved.issuerNames, [idp, 'https://b.example.com'])
      assert.deepEqual(resolved.issuers.get(idp)?.algorithms, ['ES256', 'RS256'])
      assert.equal(resolved.issuers.get('https://b.example.com')?.keys, keySource)
    })

    it('freezes the result', () => {
      const resolved = resolveVerifierOptions(valid({ subject: ['a'] }) as never)
      assert.equal(Object.isFrozen(resolved), true)
      assert.equal(Object.isFrozen(resolved.audience), true)
      assert.equal(Object.isFrozen(resolved.issuerNames), true)
      assert.equal(Object.isFrozen(resolved.requiredClaims), true)
      assert.equal(Object.isFrozen(resolved.subject), true)
      assert.equal(Object.isFrozen(resolved.issuers.get(idp)), true)
      assert.equal(Object.isFrozen(resolved.issuers.get(idp)?.algorithms), true)
    })

    it('creates lazy remote key sources for jwksUri and discovery, fetching nothing', () => {
      const resolved = resolveVerifierOptions(
        valid({
          issuers: [
            { issuer: idp, jwksUri: 'https://idp.example.com/jwks', cache: { maxAgeSeconds: 60 } },
            { issuer: 'https://b.example.com', discovery: true },
          ],
        }) as never,
      )
      const a = resolved.issuers.get(idp)?.keys.state()
      const b = resolved.issuers.get('https://b.example.com')?.keys.state()
      assert.equal(a?.kind, 'jwks_uri')
      assert.equal(a?.fetches, 0)
      assert.equal(b?.kind, 'discovery')
      assert.equal(b?.fetches, 0)
    })
  })
})
