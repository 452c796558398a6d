import assert from 'node:assert/strict'
import { beforeEach, describe, it } from 'node:test'
import { type CanonicalExchange, tokenTypes } from './canonical.ts'
import { rejectsWith } from './testing/assert-error.ts'
import { createWorld, idpUrl, issuerUrl, start, type World } from './testing/world.ts'

function request(subjectToken: string, extra: Partial<CanonicalExchange> = {}): CanonicalExchange {
  return {
    dialect: 'test',
    correlationId: 'c',
    subjectToken,
    subjectTokenType: tokenTypes.jwt,
    audience: 'ledger',
    scopes: [],
    ...extra,
  }
}

describe('createExchangeEngine: single-use policies', () => {
  let world: World
  beforeEach(async () => {
    world = await createWorld()
  })

  it('exchanges a token once, then refuses it with replay', async () => {
    const token = world.idpToken({ sub: 'job:1', jti: 'job-jti-1' })
    await world.engine.exchange(request(token))
    const error = await rejectsWith(() => world.engine.exchange(request(token)), {
      code: 'replay',
      check: 'replay',
      expected: 'a jti not seen before',
      actual: 'job-jti-1',
      hint: undefined,
      message: 'jti "job-jti-1" was already exchanged once: the policy accepts each token once',
    })
    assert.equal(error.code, 'replay')
    assert.deepEqual(
      world.audit.records.map((r) => [r.decision, r.code, r.policy]),
      [
        ['allow', undefined, 'one-shot'],
        ['deny', 'replay', 'one-shot'],
      ],
    )
  })

  it('does not burn the jti when an earlier check refuses the request', async () => {
    const token = world.idpToken({ sub: 'job:2', jti: 'job-jti-2' })
    await rejectsWith(() => world.engine.exchange(request(token, { audience: 'payments-api' })), {
      code: 'target_not_allowed',
      check: 'target',
      expected: ['https://ledger.example.org', 'https://ledger-alt.example.org'],
      actual: 'payments-api',
      hint: undefined,
    })
    await rejectsWith(() => world.engine.exchange(request(token, { scopes: ['x'] })), {
      code: 'scope_not_allowed',
      check: 'scope',
      expected: [],
      actual: ['x'],
      hint: undefined,
    })
    const result = await world.engine.exchange(request(token))
    assert.equal(result.expiresIn, 900)
    assert.equal(world.replay.size, 1)
  })

  it('requires a jti from tokens a single-use policy accepts', async () => {
    const token = world.idp.sign({ sub: 'job:3', iss: idpUrl, aud: issuerUrl, exp: start + 60 })
    await rejectsWith(() => world.engine.exchange(request(token)), {
      code: 'missing_claim',
      check: 'replay',
      expected: 'jti (a unique string)',
      actual: 'missing',
      hint: undefined,
    })
  })
})
