import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  generateTestKey,
  jwksOf,
  signJwt,
  steppableClock,
} from '../../test/support/token-factory.ts'
import {
  allowSubjects,
  deny,
  type RequestContext,
  requireScopes,
} from '../authorize/request-policy.ts'
import { createDpopProof } from '../dpop/create-proof.ts'
import { generateDpopKeyPair } from '../dpop/generate-key-pair.ts'
import { createDpopNonceSource } from '../dpop/nonce-source.ts'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { jwkThumbprint } from '../keys/import-jwk.ts'
import { jwsAlgorithms } from '../token/algorithms.ts'
import type { JwtClaims } from '../token/types.ts'
import { createVerifier } from './create-verifier.ts'
import type { DecisionEvent, VerifierOptions, VerifyRequestInput } from './types.ts'
import { parseAuthorization } from './verify-request.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected?: ShownValue | undefined
  readonly actual?: ShownValue | undefined
  readonly hint?: HintId | undefined
}

function assertError(error: unknown, want: Want): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
  const { code, check, expected, actual, hint } = error
  assert.deepEqual(
    { code, check, expected, actual, hint },
    { expected: undefined, actual: undefined, hint: undefined, ...want },
  )
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  return assert.fail('expected a rejection')
}

const now = 1_800_000_000
const idp = 'https://idp.example.com'
const api = 'https://api.example.com'
const url = `${api}/orders/42?expand=lines`
const issuerKey = generateTestKey('ES256')
const clientKey = generateDpopKeyPair()
const jkt = jwkThumbprint(clientKey.publicJwk as Record<string, unknown>)
const fixtures = new URL('../../test/fixtures/binding/', import.meta.url)
const cert = new X509Certificate(readFileSync(new URL('client.crt', fixtures)))
const otherCert = new X509Certificate(readFileSync(new URL('other.crt', fixtures)))
const x5t = readFileSync(new URL('client.x5t-s256', fixtures), 'utf8').trim()

const token = (extra: Record<string, unknown> = {}): string =>
  signJwt(issuerKey, {
    iss: idp,
    sub: 'spiffe://example.org/ci/deploy',
    aud: api,
    iat: now - 10,
    exp: now + 300,
    scope: 'orders:read orders:write',
    ...extra,
  })

function verifier(extra: Partial<VerifierOptions> = {}) {
  return createVerifier({
    issuers: [{ issuer: idp, jwks: jwksOf(issuerKey) }],
    audience: api,
    clock: () => now,
    dpop: {},
    ...extra,
  })
}

function bearerOnly() {
  return createVerifier({
    issuers: [{ issuer: idp, jwks: jwksOf(issuerKey) }],
    audience: api,
    clock: () => now,
  })
}

const proofFor = (
  accessToken: string,
  extra: Partial<Parameters<typeof createDpopProof>[0]> = {},
) => createDpopProof({ key: clientKey, method: 'GET', url, accessToken, now, ...extra })

const bearer = (t: string, extra: Partial<VerifyRequestInput> = {}): VerifyRequestInput => ({
  method: 'GET',
  url,
  authorization: `Bearer ${t}`,
  ...extra,
})
const dpop = (t: string, extra: Partial<VerifyRequestInput> = {}): VerifyRequestInput => ({
  method: 'GET',
  url,
  authorization: `DPoP ${t}`,
  dpop: proofFor(t),
  ...extra,
})

describe('parseAuthorization', () => {
  it('reads Bearer and DPoP in any letter case, with one or more spaces', () => {
    assert.deepEqual(parseAuthorization('Bearer abc'), { scheme: 'bearer', token: 'abc' })
    assert.deepEqual(parseAuthorization('bearer  abc '), { scheme: 'bearer', token: 'abc' })
    assert.deepEqual(parseAuthorization('DPOP abc'), { scheme: 'dpop', token: 'abc' })
  })
  for (const [value, actual, message] of [
    [
      undefined,
      'no Authorization header',
      'the request has no Authorization header: send "Bearer <token>" or "DPoP <token>"',
    ],
    ['   ', 'no Authorization header', undefined],
    [
      'Basic dXNlcjpwYXNz',
      'scheme "Basic"',
      'the Authorization scheme "Basic" is not accepted: send "Bearer <token>" or "DPoP <token>"',
    ],
    ['abc', 'no scheme', undefined],
    [
      'Bearer',
      '0 tokens',
      'the Authorization header has scheme "Bearer" and 0 tokens, expected exactly one',
    ],
    ['Bearer a b', '2 tokens', undefined],
  ] as const) {
    it(`missing_credentials for ${JSON.stringify(value)}`, () => {
      let thrown: unknown
      try {
        parseAuthorization(value)
      } catch (error) {
        thrown = error
      }
      assertError(thrown, {
        code: 'missing_credentials',
        check: 'request',
        expected: 'Bearer <token> or DPoP <token>',
        actual,
      })
      if (message !== undefined) assert.equal(thrown.message, message)
    })
  }
  it('never shows a bare token given without a scheme', () => {
    const t = token()
    assert.throws(
      () => parseAuthorization(t),
      (error: unknown) => error instanceof TesseraError && !error.message.includes(t),
    )
  })
})

describe('verifyRequest', () => {
  it('accepts a bearer token and reports binding bearer', async () => {
    const result = await verifier().verifyRequest(bearer(token()))
    assert.equal(result.binding, 'bearer')
    assert.equal(result.issuer, idp)
    assert.equal(result.claims.sub, 'spiffe://example.org/ci/deploy')
    assert.equal(result.actor, undefined)
    assert.equal(result.dpopJkt, undefined)
  })

  it('runs every token check first (an expired token is refused as expired)', async () => {
    const error = await rejectionOf(verifier().verifyRequest(bearer(token({ exp: now - 400 }))))
    assert.equal((error as TesseraError).code, 'expired')
  })

  it('hints forwarded for a token issued to the previous hop instead of exchanged', async () => {
    const error = await rejectionOf(
      verifier().verifyRequest(bearer(token({ aud: 'https://service-a.example.net' }))),
    )
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://service-a.example.net'],
      hint: 'forwarded',
    })
    assert.match(error.message, /RFC 8693 token exchange\) instead of forwarding it$/)
  })

  it('refuses input without method or url with invalid_request', async () => {
    const error = await rejectionOf(
      verifier().verifyRequest({ url } as unknown as VerifyRequestInput),
    )
    assertError(error, {
      code: 'invalid_request',
      check: 'request',
      expected: '{ method: string, url: string }',
      actual: 'method or url missing',
    })
  })

  it('missing_credentials without an Authorization header', async () => {
    const error = await rejectionOf(verifier().verifyRequest({ method: 'GET', url }))
    assertError(error, {
      code: 'missing_credentials',
      check: 'request',
      expected: 'Bearer <token> or DPoP <token>',
      actual: 'no Authorization header',
    })
  })

  describe('DPoP', () => {
    it('accepts a DPoP-bound token with a proof by its key', async () => {
      const t = token({ cnf: { jkt } })
      const result = await verifier().verifyRequest(dpop(t))
      assert.equal(result.binding, 'dpop')
      assert.equal(result.dpopJkt, jkt)
    })

    it('missing_credentials for the DPoP scheme when the verifier has no dpop options', async () => {
      const t = token({ cnf: { jkt } })
      const error = await rejectionOf(bearerOnly().verifyRequest(dpop(t)))
      assertError(error, {
        code: 'missing_credentials',
        check: 'request',
        expected: 'Bearer <token> or DPoP <token>',
        actual: 'scheme "DPoP"',
      })
    })

    it('invalid_dpop_proof when the proof is missing', async () => {
      const t = token({ cnf: { jkt } })
      const error = await rejectionOf(
        verifier().verifyRequest({ method: 'GET', url, authorization: `DPoP ${t}` }),
      )
      assertError(error, {
        code: 'invalid_dpop_proof',
        check: 'count',
        expected: '1 DPoP proof',
        actual: '0 DPoP proofs',
      })
    })

    it('invalid_dpop_proof (htu) with a hint when the proof names a near-miss URL', async () => {
      const t = token({ cnf: { jkt } })
      const proof = proofFor(t, { url: `${api}/orders/42/` })
      const error = await rejectionOf(verifier().verifyRequest(dpop(t, { dpop: proof })))
      assertError(error, {
        code: 'invalid_dpop_proof',
        check: 'htu',
        expected: `${api}/orders/42`,
        actual: `${api}/orders/42/`,
        hint: 'trailing_slash',
      })
    })

    it('invalid_dpop_proof (ath) when the proof was made for another token', async () => {
      const t = token({ cnf: { jkt } })
      const proof = proofFor(token({ cnf: { jkt }, jti: 'other' }))
      const error = await rejectionOf(verifier().verifyRequest(dpop(t, { dpop: proof })))
      assertError(error, {
        code: 'invalid_dpop_proof',
        check: 'ath',
        expected: 'base64url(SHA-256(access token))',
        actual: 'the hash of another value',
      })
    })

    it('dpop_replay when the same proof comes twice', async () => {
      const v = verifier()
      const t = token({ cnf: { jkt } })
      const input = dpop(t)
      await v.verifyRequest(input)
      assertError(await rejectionOf(v.verifyRequest(input)), {
        code: 'dpop_replay',
        check: 'jti',
        expected: 'a jti not seen before',
        actual: (
          JSON.parse(
            Buffer.from(String(input.dpop).split('.')[1] as string, 'base64url').toString(),
          ) as { jti: string }
        ).jti,
      })
    })

    it('binding_mismatch when the proof key is not the bound key', async () => {
      const other = generateDpopKeyPair()
      const t = token({ cnf: { jkt } })
      const proof = createDpopProof({ key: other, method: 'GET', url, accessToken: t, now })
      const error = await rejectionOf(verifier().verifyRequest(dpop(t, { dpop: proof })))
      assertError(error, {
        code: 'binding_mismatch',
        check: 'jkt',
        expected: jkt,
        actual: jwkThumbprint(other.publicJwk as Record<string, unknown>),
      })
    })

    it('binding_mismatch for the DPoP scheme with an unbound token', async () => {
      const error = await rejectionOf(verifier().verifyRequest(dpop(token())))
      assertError(error, {
        code: 'binding_mismatch',
        check: 'jkt',
        expected: 'cnf.jkt in the token',
        actual: 'missing',
      })
    })

    it('bound_token_as_bearer for a DPoP-bound token sent as Bearer', async () => {
      const error = await rejectionOf(verifier().verifyRequest(bearer(token({ cnf: { jkt } }))))
      assertError(error, {
        code: 'bound_token_as_bearer',
        check: 'jkt',
        expected: 'DPoP scheme with a proof',
        actual: 'Bearer scheme',
      })
    })

    it('use_dpop_nonce until the proof carries the nonce from dpopNonce()', async () => {
      const nonce = createDpopNonceSource({ clock: () => now })
      const v = verifier({ dpop: { nonce, algorithms: ['ES256', 'EdDSA'] } })
      assert.deepEqual(v.dpopAlgorithms, ['ES256', 'EdDSA'])
      const t = token({ cnf: { jkt } })
      assertError(await rejectionOf(v.verifyRequest(dpop(t))), {
        code: 'use_dpop_nonce',
        check: 'nonce',
        expected: 'the current server nonce',
        actual: 'missing',
      })
      const current = await v.dpopNonce()
      assert.equal(typeof current, 'string')
      const withNonce = proofFor(t, current === undefined ? {} : { nonce: current })
      const result = await v.verifyRequest(dpop(t, { dpop: withNonce }))
      assert.equal(result.binding, 'dpop')
    })

    it('has no nonce and every algorithm by default; none at all without dpop', async () => {
      assert.equal(await verifier().dpopNonce(), undefined)
      assert.deepEqual(verifier().dpopAlgorithms, jwsAlgorithms)
      assert.deepEqual(bearerOnly().dpopAlgorithms, [])
    })
  })

  describe('mTLS', () => {
    it('accepts a certificate-bound token over a connection with that certificate', async () => {
      const t = token({ cnf: { 'x5t#S256': x5t } })
      const result = await verifier().verifyRequest(bearer(t, { clientCertificate: cert }))
      assert.equal(result.binding, 'mtls')
      const fromDer = await verifier().verifyRequest(bearer(t, { clientCertificate: cert.raw }))
      assert.equal(fromDer.binding, 'mtls')
    })

    it('binding_mismatch with another certificate or none', async () => {
      const t = token({ cnf: { 'x5t#S256': x5t } })
      const wrong = await rejectionOf(
        verifier().verifyRequest(bearer(t, { clientCertificate: otherCert })),
      )
      assert.equal((wrong as TesseraError).code, 'binding_mismatch')
      assert.equal((wrong as TesseraError).check, 'x5t#S256')
      assertError(await rejectionOf(verifier().verifyRequest(bearer(t))), {
        code: 'binding_mismatch',
        check: 'x5t#S256',
        expected: x5t,
        actual: 'no client certificate',
      })
    })

    it('reports dpop when a token is bound to both a key and a certificate', async () => {
      const t = token({ cnf: { jkt, 'x5t#S256': x5t } })
      const result = await verifier().verifyRequest(dpop(t, { clientCertificate: cert }))
      assert.equal(result.binding, 'dpop')
      const error = await rejectionOf(verifier().verifyRequest(dpop(t)))
      assert.equal((error as TesseraError).check, 'x5t#S256')
    })
  })

  describe('delegation', () => {
    const chain = (...actors: string[]): Record<string, unknown> | undefined => {
      let act: Record<string, unknown> | undefined
      for (const sub of [...actors].reverse()) act = act === undefined ? { sub } : { sub, act }
      return act
    }

    it('reports the outermost actor, with or without delegation rules', async () => {
      const t = token({ act: chain('svc-a', 'ci') })
      const result = await verifier().verifyRequest(bearer(t))
      assert.equal(result.actor, 'svc-a')
    })

    it('delegation_too_deep beyond maxDepth', async () => {
      const t = token({ act: chain('svc-b', 'svc-a', 'ci') })
      const error = await rejectionOf(
        verifier({ delegation: { maxDepth: 2 } }).verifyRequest(bearer(t)),
      )
      assertError(error, {
        code: 'delegation_too_deep',
        check: 'delegation',
        expected: '<= 2',
        actual: '3',
      })
      await verifier({ delegation: { maxDepth: 3 } }).verifyRequest(bearer(t))
    })

    it('delegation_too_deep for any act when maxDepth is 0', async () => {
      const error = await rejectionOf(
        verifier({ delegation: { maxDepth: 0 } }).verifyRequest(bearer(token({ act: chain('a') }))),
      )
      assert.equal((error as TesseraError).code, 'delegation_too_deep')
      await verifier({ delegation: { maxDepth: 0 } }).verifyRequest(bearer(token()))
    })

    it('actor_not_allowed when the outermost actor matches no allowed pattern', async () => {
      const v = verifier({ delegation: { allowedActors: ['spiffe://example.org/svc/*'] } })
      await v.verifyRequest(bearer(token({ act: chain('spiffe://example.org/svc/a') })))
      const error = await rejectionOf(
        v.verifyRequest(bearer(token({ act: chain('spiffe://example.org/ci/x') }))),
      )
      assertError(error, {
        code: 'actor_not_allowed',
        check: 'act',
        expected: ['spiffe://example.org/svc/*'],
        actual: 'spiffe://example.org/ci/x',
        hint: 'path',
      })
    })

    it('actor_not_allowed when requireMayAct and may_act.sub does not name the actor', async () => {
      const v = verifier({ delegation: { requireMayAct: true } })
      await v.verifyRequest(bearer(token({ act: chain('a'), may_act: { sub: 'a' } })))
      const error = await rejectionOf(
        v.verifyRequest(bearer(token({ act: chain('a'), may_act: { sub: 'b' } }))),
      )
      assertError(error, {
        code: 'actor_not_allowed',
        check: 'may_act',
        expected: 'a',
        actual: 'b',
      })
    })
  })

  describe('policies', () => {
    it('runs the route policy, then the options policies, with the request context', async () => {
      const seen: string[] = []
      let context: RequestContext | undefined
      const v = verifier({
        policy: [
          (_c, r) => {
            seen.push('options-1')
            context = r
            return { allow: true }
          },
          () => {
            seen.push('options-2')
            return { allow: true }
          },
        ],
      })
      await v.verifyRequest(
        bearer(token({ act: { sub: 'svc-a' } }), {
          policy: async () => {
            seen.push('route')
            return { allow: true }
          },
        }),
      )
      assert.deepEqual(seen, ['route', 'options-1', 'options-2'])
      assert.deepEqual(context, { method: 'GET', url, binding: 'bearer', actor: 'svc-a' })
    })

    it('stops at the first denial, which is the rejection', async () => {
      const seen: string[] = []
      const v = verifier({
        policy: () => {
          seen.push('options')
          return { allow: true }
        },
      })
      const error = await rejectionOf(
        v.verifyRequest(bearer(token(), { policy: [() => deny('closed for maintenance')] })),
      )
      assertError(error, { code: 'policy_denied', check: 'policy' })
      assert.equal(error.message, 'closed for maintenance')
      assert.deepEqual(seen, [])
    })

    it('insufficient_scope from requireScopes', async () => {
      const error = await rejectionOf(
        verifier({ policy: requireScopes('orders:read', 'orders:admin') }).verifyRequest(
          bearer(token()),
        ),
      )
      assertError(error, {
        code: 'insufficient_scope',
        check: 'request_policy',
        expected: ['orders:admin'],
        actual: ['orders:read', 'orders:write'],
      })
    })

    it('subject_not_allowed from allowSubjects', async () => {
      const error = await rejectionOf(
        verifier().verifyRequest(
          bearer(token(), { policy: allowSubjects(['spiffe://example.org/svc/*']) }),
        ),
      )
      assertError(error, {
        code: 'subject_not_allowed',
        check: 'request_policy',
        expected: ['spiffe://example.org/svc/*'],
        actual: 'spiffe://example.org/ci/deploy',
        hint: 'path',
      })
    })

    it('internal_error for a policy that returns neither allow() nor deny()', async () => {
      for (const returned of [undefined, { allow: false }, 'yes']) {
        const policy = (() => returned) as unknown as () => { allow: true }
        const error = await rejectionOf(verifier({ policy }).verifyRequest(bearer(token())))
        assertError(error, { code: 'internal_error', check: 'request_policy' })
      }
    })

    it('invalid_options for a route policy that is not a function', async () => {
      const error = await rejectionOf(
        verifier().verifyRequest(
          bearer(token(), { policy: ['x' as unknown as () => { allow: true }] }),
        ),
      )
      assert.equal((error as TesseraError).code, 'invalid_options')
    })
  })

  describe('onDecision', () => {
    it('gets one event per verify and per verifyRequest, never the token', async () => {
      const events: DecisionEvent[] = []
      const v = verifier({ onDecision: (e) => events.push(e) })
      const t = token({ act: { sub: 'svc-a' }, cnf: { jkt } })
      await v.verify(t)
      await v.verifyRequest(dpop(t))
      await rejectionOf(v.verifyRequest(bearer(t)))
      await rejectionOf(v.verify('nope'))
      await rejectionOf(v.verifyRequest({ method: 'GET', url }))
      const shape = events.map(({ latencyMs, ...rest }) => {
        assert.ok(latencyMs >= 0)
        return rest
      })
      const who = {
        issuer: idp,
        audience: api,
        subject: 'spiffe://example.org/ci/deploy',
        actor: 'svc-a',
      }
      assert.deepEqual(shape, [
        { kind: 'verify', outcome: 'accepted', issuer: idp, audience: api, subject: who.subject },
        { kind: 'request', outcome: 'accepted', ...who, binding: 'dpop' },
        {
          kind: 'request',
          outcome: 'rejected',
          code: 'bound_token_as_bearer',
          check: 'jkt',
          ...who,
        },
        { kind: 'verify', outcome: 'rejected', code: 'malformed', check: 'decode' },
        { kind: 'request', outcome: 'rejected', code: 'missing_credentials', check: 'request' },
      ])
      assert.ok(!JSON.stringify(events).includes(t))
    })

    it('swallows errors thrown or rejected by the observer', async () => {
      const throwing = verifier({
        onDecision: () => {
          throw new Error('observer down')
        },
      })
      const result = await throwing.verifyRequest(bearer(token()))
      assert.equal(result.binding, 'bearer')
      await throwing.verify(token())
      const rejecting = verifier({
        onDecision: (() => Promise.reject(new Error('later'))) as unknown as () => void,
      })
      await rejecting.verifyRequest(bearer(token()))
      const error = await rejectionOf(rejecting.verifyRequest(bearer(token({ aud: 'x' }))))
      assert.equal((error as TesseraError).code, 'audience_mismatch')
    })

    it('reports what was learned before a later rejection, with a non-Tessera error unnamed', async () => {
      const events: DecisionEvent[] = []
      const v = verifier({
        onDecision: (e) => events.push(e),
        policy: () => {
          throw new Error('policy crashed')
        },
      })
      const error = await rejectionOf(v.verifyRequest(bearer(token())))
      assert.equal((error as Error).message, 'policy crashed')
      const { latencyMs: _, ...event } = events[0] as DecisionEvent
      assert.deepEqual(event, {
        kind: 'request',
        outcome: 'rejected',
        issuer: idp,
        audience: api,
        subject: 'spiffe://example.org/ci/deploy',
        binding: 'bearer',
      })
    })
  })

  it('uses the verifier clock for tokens and proofs alike', async () => {
    const clock = steppableClock(now)
    const v = verifier({ clock: clock.now })
    const t = token({ cnf: { jkt } })
    clock.advance(310)
    const error = await rejectionOf(v.verifyRequest(dpop(t)))
    assertError(error, {
      code: 'invalid_dpop_proof',
      check: 'iat',
      expected: `iat >= ${now + 5}`,
      actual: String(now),
      hint: 'clock_skew',
    })
  })
})

describe('createVerifier options for requests', () => {
  it('refuses bad dpop, delegation, policy and onDecision options, listing every problem', () => {
    assert.throws(
      () =>
        verifier({
          dpop: {
            maxProofAge: 0,
            leeway: 301,
            maxProofBytes: 10,
            algorithms: ['HS256' as 'ES256'],
            replay: {} as never,
            nonce: { current: () => 'x' } as never,
            unknown: 1,
          } as never,
          delegation: {
            maxDepth: -1,
            allowedActors: 'svc',
            requireMayAct: 'yes',
            other: 1,
          } as never,
          policy: [() => ({ allow: true }), 'deny' as never],
          onDecision: 'log' as never,
        }),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(error.problems?.map((p) => p.path).sort(), [
          'delegation.allowedActors',
          'delegation.maxDepth',
          'delegation.other',
          'delegation.requireMayAct',
          'dpop.algorithms[0]',
          'dpop.leeway',
          'dpop.maxProofAge',
          'dpop.maxProofBytes',
          'dpop.nonce',
          'dpop.replay',
          'dpop.unknown',
          'onDecision',
          'policy[1]',
        ])
        return true
      },
    )
  })

  it('refuses dpop and delegation that are not objects, and a single non-function policy', () => {
    assert.throws(
      () => verifier({ dpop: true as never, delegation: [] as never, policy: 7 as never }),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'invalid_options' &&
        JSON.stringify(error.problems?.map((p) => p.path)) === '["dpop","delegation","policy"]',
    )
  })

  it('accepts an empty delegation list of actors only as a problem', () => {
    assert.throws(
      () => verifier({ delegation: { allowedActors: [] } }),
      (error: unknown) =>
        error instanceof TesseraError && error.problems?.[0]?.path === 'delegation.allowedActors',
    )
  })
})

// Keeps the JwtClaims import meaningful for policy signatures in this file.
const _typed: (c: JwtClaims) => string | undefined = (c) => c.sub
void _typed
