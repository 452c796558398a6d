import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TesseraError } from '../explain/tessera-error.ts'
import { actDepth, actorOf, checkDelegation, maxActDepth } from './delegation.ts'

const fields = (e: TesseraError | undefined) =>
  e && { code: e.code, check: e.check, expected: e.expected, actual: e.actual, hint: e.hint }

const chain = (n: number): Record<string, unknown> => {
  let act: Record<string, unknown> = { sub: `actor-${n}` }
  for (let i = n - 1; i >= 1; i--) act = { sub: `actor-${i}`, act }
  return act
}

describe('actorOf and actDepth', () => {
  it('the current actor is the outermost act.sub (RFC 8693 §4.1)', () => {
    assert.equal(actorOf({ act: chain(3) }), 'actor-1')
    assert.equal(actorOf({}), undefined)
    assert.equal(actorOf({ act: 'x' }), undefined)
    assert.equal(actDepth({ act: chain(3) }), 3)
    assert.equal(actDepth({}), 0)
  })
  it('stops counting beyond maxActDepth', () => {
    assert.equal(actDepth({ act: chain(100) }), maxActDepth + 1)
  })
})

describe('checkDelegation', () => {
  it('passes a token without act whatever the rules', () => {
    assert.equal(
      checkDelegation({}, { maxDepth: 0, allowedActors: ['x'], requireMayAct: true }),
      undefined,
    )
  })
  it('passes a chain within maxDepth', () => {
    assert.equal(checkDelegation({ act: chain(2) }, { maxDepth: 2 }), undefined)
  })
  it('delegation_too_deep beyond maxDepth', () => {
    const error = checkDelegation({ act: chain(3) }, { maxDepth: 2 })
    assert.deepEqual(fields(error), {
      code: 'delegation_too_deep',
      check: 'delegation',
      expected: '<= 2',
      actual: '3',
      hint: undefined,
    })
    assert.equal(
      error?.message,
      "the token's act chain is 3 deep, more than the 2 this receiver accepts",
    )
  })
  it('delegation_too_deep for any act when maxDepth is 0', () => {
    const error = checkDelegation({ act: chain(1) }, { maxDepth: 0 })
    assert.equal(error?.code, 'delegation_too_deep')
    assert.equal(
      error?.message,
      'the token carries a delegation chain (act), and this receiver accepts no delegation',
    )
  })
  it('delegation_too_deep for chains deeper than the hard bound, even without maxDepth', () => {
    const error = checkDelegation({ act: chain(40) }, {})
    assert.deepEqual(fields(error), {
      code: 'delegation_too_deep',
      check: 'delegation',
      expected: `<= ${maxActDepth}`,
      actual: `> ${maxActDepth}`,
      hint: undefined,
    })
  })
  it('actor_not_allowed for an act without a string sub', () => {
    assert.deepEqual(fields(checkDelegation({ act: { iss: 'x' } }, {})), {
      code: 'actor_not_allowed',
      check: 'act',
      expected: 'act.sub (a string)',
      actual: 'act without sub',
      hint: undefined,
    })
    assert.equal(checkDelegation({ act: 'svc' }, {})?.actual, 'act is not an object')
  })
  it('matches only the outermost actor against allowedActors, exact or glob', () => {
    const rules = { allowedActors: ['svc-*', 'gateway'] }
    assert.equal(
      checkDelegation({ act: { sub: 'gateway', act: { sub: 'evil' } } }, rules),
      undefined,
    )
    assert.equal(checkDelegation({ act: { sub: 'svc-a' } }, rules), undefined)
    assert.deepEqual(fields(checkDelegation({ act: { sub: 'Gateway' } }, rules)), {
      code: 'actor_not_allowed',
      check: 'act',
      expected: ['svc-*', 'gateway'],
      actual: 'Gateway',
      hint: 'case',
    })
  })
  it('with requireMayAct, needs may_act.sub naming the actor (RFC 8693 §4.4)', () => {
    const rules = { requireMayAct: true }
    assert.equal(checkDelegation({ act: { sub: 'a' }, may_act: { sub: 'a' } }, rules), undefined)
    assert.deepEqual(fields(checkDelegation({ act: { sub: 'a' } }, rules)), {
      code: 'actor_not_allowed',
      check: 'may_act',
      expected: 'a',
      actual: 'missing',
      hint: undefined,
    })
    const error = checkDelegation({ act: { sub: 'a' }, may_act: { sub: 'b' } }, rules)
    assert.equal(error?.message, 'actor "a" is not the one may_act.sub names, "b"')
  })
})
