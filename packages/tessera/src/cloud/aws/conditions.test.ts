import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type ConditionContext, evaluateClause, parseOperator } from './conditions.ts'

const context: ConditionContext = new Map([
  ['p:sub', ['repo:acme/payments:ref:refs/heads/main']],
  ['p:aud', ['sts.amazonaws.com']],
  ['p:amr', ['authenticated', 'mfa']],
])
const holds = (operator: string, key: string, ...values: string[]): boolean =>
  evaluateClause({ operator, key, values }, context).ok

describe('IAM condition operators', () => {
  it('splits set qualifiers and IfExists off the operator', () => {
    assert.deepEqual(parseOperator('ForAnyValue:StringLikeIfExists'), {
      set: 'any',
      base: 'StringLike',
      ifExists: true,
    })
    assert.deepEqual(parseOperator('ForAllValues:StringEquals'), {
      set: 'all',
      base: 'StringEquals',
      ifExists: false,
    })
  })

  it('StringEquals: any listed value, exact, keys case-insensitive', () => {
    assert.equal(holds('StringEquals', 'P:Aud', 'x', 'sts.amazonaws.com'), true)
    assert.equal(holds('StringEquals', 'p:aud', 'STS.amazonaws.com'), false)
    assert.equal(holds('StringEqualsIgnoreCase', 'p:aud', 'STS.amazonaws.com'), true)
  })

  it('StringLike and StringNotLike use IAM globs', () => {
    assert.equal(holds('StringLike', 'p:sub', 'repo:acme/*'), true)
    assert.equal(
      holds('StringLike', 'p:sub', 'repo:other/*', 'repo:acme/payments:ref:refs/heads/?ain'),
      true,
    )
    assert.equal(holds('StringLike', 'p:sub', 'repo:acme/*:environment:*'), false)
    assert.equal(holds('StringNotLike', 'p:sub', 'repo:acme/*:pull_request'), true)
    assert.equal(holds('StringNotLike', 'p:sub', 'repo:acme/*'), false)
  })

  it('negated operators hold when the value matches none of the listed values', () => {
    assert.equal(holds('StringNotEquals', 'p:aud', 'a', 'b'), true)
    assert.equal(holds('StringNotEquals', 'p:aud', 'a', 'sts.amazonaws.com'), false)
    assert.equal(holds('StringNotEqualsIgnoreCase', 'p:aud', 'STS.AMAZONAWS.COM'), false)
  })

  it('a missing key fails positive operators and passes negated ones, IfExists and ForAllValues', () => {
    assert.equal(holds('StringEquals', 'p:email', 'a@b'), false)
    assert.equal(holds('StringNotEquals', 'p:email', 'a@b'), true)
    assert.equal(holds('StringEqualsIfExists', 'p:email', 'a@b'), true)
    assert.equal(holds('ForAllValues:StringEquals', 'p:email', 'a@b'), true)
    assert.equal(holds('ForAnyValue:StringEquals', 'p:email', 'a@b'), false)
    assert.equal(holds('ForAnyValue:StringNotEquals', 'p:email', 'a@b'), false)
    assert.equal(
      evaluateClause({ operator: 'StringEquals', key: 'p:email', values: [] }, context).actual,
      undefined,
    )
  })

  it('ForAnyValue and ForAllValues on a multi-valued key', () => {
    assert.equal(holds('ForAnyValue:StringEquals', 'p:amr', 'mfa'), true)
    assert.equal(holds('ForAllValues:StringEquals', 'p:amr', 'mfa'), false)
    assert.equal(holds('ForAllValues:StringEquals', 'p:amr', 'mfa', 'authenticated'), true)
    assert.equal(holds('ForAllValues:StringNotEquals', 'p:amr', 'unauthenticated'), true)
    assert.equal(holds('ForAnyValue:StringNotLike', 'p:amr', 'auth*'), true)
    assert.equal(holds('ForAllValues:StringNotLike', 'p:amr', 'auth*'), false)
  })

  it('Null tests presence', () => {
    assert.equal(holds('Null', 'p:email', 'true'), true)
    assert.equal(holds('Null', 'p:sub', 'true'), false)
    assert.equal(holds('Null', 'p:sub', 'false'), true)
    assert.equal(holds('Null', 'p:email', 'false'), false)
  })

  it('fails closed on an operator it does not model, and says so', () => {
    const outcome = evaluateClause(
      { operator: 'NumericLessThan', key: 'p:sub', values: ['1'] },
      context,
    )
    assert.equal(outcome.ok, false)
    assert.match(outcome.unsupported ?? '', /"NumericLessThan" is not modelled/)
  })
})
