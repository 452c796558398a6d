import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateTestKey, jwksOf } from '../../test/support/token-factory.ts'
import { TesseraError, type TesseraErrorJson } from '../explain/tessera-error.ts'
import { importKeySet, maxKeysPerSet } from './key-set.ts'

const rsa = generateTestKey('RS256', 'rsa-1')
const ec = generateTestKey('ES256', 'ec-1')

function rejection(fn: () => unknown): TesseraErrorJson {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error.toJSON()
  }
  return assert.fail('expected a TesseraError')
}

describe('importKeySet', () => {
  it('imports every usable key of a JWK Set, in order', () => {
    const set = importKeySet(jwksOf(rsa, ec), 'https://idp.example')
    assert.deepEqual(
      set.keys.map((k) => [k.kid, k.kty]),
      [
        ['rsa-1', 'RSA'],
        ['ec-1', 'EC'],
      ],
    )
    assert.deepEqual(set.rejected, [])
  })

  it('keeps refused keys aside with their reasons instead of failing the set', () => {
    const set = importKeySet(
      {
        keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }, ec.jwk, { ...rsa.jwk, use: 'enc' }, 'x'],
      },
      'https://idp.example',
    )
    assert.deepEqual(
      set.keys.map((k) => k.kid),
      ['ec-1'],
    )
    assert.deepEqual(set.rejected, [
      {
        kid: 'hmac',
        kty: 'oct',
        reason: 'symmetric (oct) keys are never used: HMAC is not accepted',
      },
      { kid: 'rsa-1', kty: 'RSA', reason: 'use is "enc", not "sig"' },
      { reason: 'the key is not a JSON object' },
    ])
  })

  it('returns a frozen set with frozen lists', () => {
    const set = importKeySet(jwksOf(ec), 'https://idp.example')
    assert.equal(Object.isFrozen(set), true)
    assert.equal(Object.isFrozen(set.keys), true)
    assert.equal(Object.isFrozen(set.rejected), true)
  })

  it('accepts an empty key set', () => {
    assert.deepEqual(importKeySet({ keys: [] }, 'x'), { keys: [], rejected: [] })
  })

  it('ignores members other than keys', () => {
    assert.equal(importKeySet({ ...jwksOf(ec), other: 1 }, 'x').keys.length, 1)
  })

  it('throws jwks_unavailable for a value that is not a JWK Set', () => {
    for (const [value, actual] of [
      [null, 'null'],
      [[ec.jwk], 'array'],
      ['{"keys":[]}', 'string'],
      [undefined, 'undefined'],
      [{}, 'object'],
      [{ keys: {} }, 'object'],
      [ec.jwk, 'object'],
    ] as const) {
      assert.deepEqual(
        rejection(() => importKeySet(value, 'keys.json')),
        {
          code: 'jwks_unavailable',
          check: 'jwks',
          message:
            'key set from keys.json is not a JWK Set: expected an object with a "keys" array',
          expected: '{"keys": [...]}',
          actual,
        },
      )
    }
  })

  it(`throws jwks_unavailable for more than ${maxKeysPerSet} keys, with the exact count`, () => {
    const keys = Array.from({ length: maxKeysPerSet + 1 }, () => ec.jwk)
    assert.deepEqual(
      rejection(() => importKeySet({ keys }, 'https://idp.example/jwks')),
      {
        code: 'jwks_unavailable',
        check: 'jwks',
        message: `key set from https://idp.example/jwks holds ${maxKeysPerSet + 1} keys, more than the limit of ${maxKeysPerSet}`,
        expected: `<= ${maxKeysPerSet} keys`,
        actual: `${maxKeysPerSet + 1} keys`,
      },
    )
  })

  it(`accepts exactly ${maxKeysPerSet} keys`, () => {
    const keys = Array.from({ length: maxKeysPerSet }, (_, i) => ({ ...ec.jwk, kid: `k${i}` }))
    assert.equal(importKeySet({ keys }, 'x').keys.length, maxKeysPerSet)
  })
})
