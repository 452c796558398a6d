import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { readClaim } from './claim-path.ts'

describe('readClaim', () => {
  it('reads a whole key first, even when it contains dots', () => {
    assert.equal(readClaim({ 'a.b': 1, a: { b: 2 } }, 'a.b'), 1)
  })

  it('walks nested objects, taking the longest dotted key at each step', () => {
    const claims = { 'kubernetes.io': { namespace: 'prod', 'service.account': { name: 'x' } } }
    assert.equal(readClaim(claims, 'kubernetes.io.namespace'), 'prod')
    assert.equal(readClaim(claims, 'kubernetes.io.service.account.name'), 'x')
  })

  it('returns undefined for a missing name, a path through a non-object, or an array', () => {
    assert.equal(readClaim({}, 'missing'), undefined)
    assert.equal(readClaim({ a: 'text' }, 'a.b'), undefined)
    assert.equal(readClaim({ a: ['x'] }, 'a.0'), undefined)
    assert.equal(readClaim({ a: { c: 1 } }, 'a.b'), undefined)
  })

  it('never reaches inherited members', () => {
    assert.equal(readClaim({}, 'toString'), undefined)
    assert.equal(readClaim({ a: {} }, 'a.constructor'), undefined)
    assert.equal(readClaim({ a: {} }, 'a.__proto__'), undefined)
  })
})
