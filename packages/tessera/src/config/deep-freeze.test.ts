import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { deepFreeze } from './deep-freeze.ts'

describe('deepFreeze', () => {
  it('freezes nested plain objects and arrays, symbol keys included, and survives cycles', () => {
    const key = Symbol('internals')
    const value: Record<PropertyKey, unknown> = { a: { b: [1, { c: 2 }] }, [key]: { d: [] } }
    value.self = value
    deepFreeze(value)
    assert.ok(Object.isFrozen(value))
    assert.ok(Object.isFrozen((value.a as { b: unknown[] }).b[1]))
    assert.ok(Object.isFrozen((value[key] as { d: unknown[] }).d))
    assert.throws(() => {
      ;(value.a as Record<string, unknown>).x = 1
    }, TypeError)
  })

  it('leaves a Map, a RegExp or a class instance alone', () => {
    const map = new Map([['k', { v: 1 }]])
    const pattern = /x/g
    const frozen = deepFreeze({ map, pattern })
    assert.ok(Object.isFrozen(frozen))
    assert.ok(!Object.isFrozen(map))
    assert.ok(!Object.isFrozen(map.get('k')))
    assert.equal(pattern.test('x'), true)
  })
})
