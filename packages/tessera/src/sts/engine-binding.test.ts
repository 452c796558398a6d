import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { rejectsWith } from './testing/assert-error.ts'
import { createWorld, decodeParts, type World } from './testing/world.ts'

const ciClaims = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
}
const keyA = 'sjA9F95jbpwXyZ28NKnKx8wCvBJJYEdwlM3j2hwrcMU'
const keyB = 'aZ0J3cYkLk0s8bqvU0vZq2jOqO2r2m3J2h2X0C7Hq1Q'

describe('createExchangeEngine: key-bound presented tokens (RFC 9449 §6, RFC 7800)', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })
  const request = (subjectToken: string, extra: Partial<CanonicalExchange> = {}) => ({
    dialect: 'test',
    correlationId: 'corr-bind',
    subjectToken,
    subjectTokenType: tokenTypes.jwt,
    audience: 'payments-api',
    scopes: ['payments.read'],
    ...extra,
  })

  it('exchanges a DPoP-bound subject token with a proof by its key, binding the new token to it', async () => {
    const result = await world.engine.exchange(
      request(world.idpToken({ ...ciClaims, cnf: { jkt: keyA } }), { dpopJkt: keyA }),
    )
    assert.equal(result.tokenType, 'DPoP')
    assert.deepEqual(decodeParts(result.accessToken).claims.cnf, { jkt: keyA })
  })

  it('bound_token_as_bearer: a DPoP-bound subject token without a proof, recorded as a denial', async () => {
    await rejectsWith(
      () => world.engine.exchange(request(world.idpToken({ ...ciClaims, cnf: { jkt: keyA } }))),
      {
        code: 'bound_token_as_bearer',
        check: 'jkt',
        expected: 'a DPoP proof by the cnf.jkt key',
        actual: 'no DPoP proof',
        hint: undefined,
        message: `the subject token is bound to DPoP key "${keyA}" (cnf.jkt), but the request carries no DPoP proof: send a DPoP header with a proof signed by that key (RFC 9449 §5)`,
      },
    )
    const record = world.audit.records.at(-1)
    assert.equal(record?.decision, 'deny')
    assert.equal(record?.code, 'bound_token_as_bearer')
  })

  it('binding_mismatch: a DPoP-bound subject token with a proof by another key', async () => {
    await rejectsWith(
      () =>
        world.engine.exchange(
          request(world.idpToken({ ...ciClaims, cnf: { jkt: keyA } }), { dpopJkt: keyB }),
        ),
      { code: 'binding_mismatch', check: 'jkt', expected: keyA, actual: keyB, hint: undefined },
    )
  })

  it('binding_mismatch: a certificate-bound subject token (the STS does not do mutual TLS), even with a proof', async () => {
    for (const cnf of [{ 'x5t#S256': 'x5t' }, { jkt: keyA, 'x5t#S256': 'x5t' }]) {
      await rejectsWith(
        () =>
          world.engine.exchange(request(world.idpToken({ ...ciClaims, cnf }), { dpopJkt: keyA })),
        {
          code: 'binding_mismatch',
          check: 'x5t#S256',
          expected: 'cnf.jkt or no cnf',
          actual: 'cnf["x5t#S256"]',
          hint: undefined,
        },
      )
    }
  })

  it('binding_mismatch: a cnf Tessera does not understand, naming its members', async () => {
    for (const [cnf, check, actual] of [
      [{ kid: 'k1', jku: 'https://idp.example.com/keys' }, 'cnf', 'cnf members ["kid", "jku"]'],
      [{}, 'cnf', 'cnf {}'],
      ['k1', 'cnf', 'string'],
      [['jkt'], 'cnf', 'array'],
      [null, 'cnf', 'null'],
    ] as const) {
      await rejectsWith(
        () =>
          world.engine.exchange(request(world.idpToken({ ...ciClaims, cnf }), { dpopJkt: keyA })),
        { code: 'binding_mismatch', check, expected: 'cnf with jkt', actual, hint: undefined },
      )
    }
  })

  it('checks the actor token too: bound_token_as_bearer without a proof, binding_mismatch with another key', async () => {
    const delegation = (dpopJkt?: string) =>
      world.engine.exchange({
        dialect: 'test',
        correlationId: 'corr-act',
        subjectToken: world.idpToken({ sub: 'user-alice' }),
        subjectTokenType: tokenTypes.idToken,
        actorToken: world.idpToken({ sub: 'svc-a', cnf: { jkt: keyA } }),
        actorTokenType: tokenTypes.jwt,
        audience: 'payments-api',
        scopes: [],
        ...(dpopJkt === undefined ? {} : { dpopJkt }),
      })
    const bearer = await rejectsWith(() => delegation(), {
      code: 'bound_token_as_bearer',
      check: 'jkt',
      expected: 'a DPoP proof by the cnf.jkt key',
      actual: 'no DPoP proof',
      hint: undefined,
    })
    assert.match(bearer.message, /^the actor token is bound/)
    await rejectsWith(() => delegation(keyB), {
      code: 'binding_mismatch',
      check: 'jkt',
      expected: keyA,
      actual: keyB,
      hint: undefined,
    })
    const allowed = await delegation(keyA)
    assert.deepEqual(decodeParts(allowed.accessToken).claims.cnf, { jkt: keyA })
  })

  it('still exchanges an unbound subject token as before, with or without a proof', async () => {
    const bearer = await world.engine.exchange(request(world.idpToken(ciClaims)))
    assert.equal(bearer.tokenType, 'Bearer')
    const bound = await world.engine.exchange(request(world.idpToken(ciClaims), { dpopJkt: keyB }))
    assert.deepEqual(decodeParts(bound.accessToken).claims.cnf, { jkt: keyB })
  })
})
