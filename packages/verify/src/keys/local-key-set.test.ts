import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateTestKey, jwksOf } from '../../test/support/token-factory.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { createLocalKeySet } from './local-key-set.ts'

const rsa = generateTestKey('RS256', 'rsa-1')
const ec = generateTestKey('ES256', 'ec-1')
const source = 'https://idp.example'

describe('createLocalKeySet', () => {
  it('selects keys from the inline set synchronously', () => {
    const keys = createLocalKeySet(jwksOf(rsa, ec), source).select('ec-1', 'ES256')
    assert.ok(Array.isArray(keys), 'an array, not a promise')
    assert.deepEqual(
      keys.map((k) => k.kid),
      ['ec-1'],
    )
  })

  it('imports the set once, so every selection returns the same key object', () => {
    const local = createLocalKeySet(jwksOf(rsa), source)
    const first = local.select('rsa-1', 'RS256')
    const second = local.select('rsa-1', 'RS256')
    assert.ok(Array.isArray(first) && Array.isArray(second))
    assert.equal(first[0], second[0])
  })

  it('applies the selection rules, naming the source in its errors', () => {
    const local = createLocalKeySet(jwksOf(rsa, ec), source)
    assert.throws(
      () => local.select('nope', 'RS256'),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'unknown_key' &&
        error.message === `kid "nope" is not one of ["rsa-1", "ec-1"] in ${source}`,
    )
    assert.throws(
      () => local.select('ec-1', 'RS256'),
      (error: unknown) => error instanceof TesseraError && error.code === 'key_type_mismatch',
    )
    const withoutKid = local.select(undefined, 'RS256')
    assert.ok(Array.isArray(withoutKid))
    assert.equal(withoutKid[0]?.kid, 'rsa-1')
  })

  it('reports an inline state with the kids, the refused keys and no fetches', () => {
    const local = createLocalKeySet(
      { keys: [rsa.jwk, { ...ec.jwk, kid: undefined }, { kty: 'oct', k: 'AA', kid: 'h' }] },
      source,
    )
    const state = local.state()
    assert.deepEqual(state, {
      kind: 'inline',
      kids: ['rsa-1'],
      rejected: [
        {
          kid: 'h',
          kty: 'oct',
          reason: 'symmetric (oct) keys are never used: HMAC is not accepted',
        },
      ],
      fetches: 0,
    })
    assert.equal(Object.isFrozen(state), true)
    assert.equal(Object.isFrozen(state.kids), true)
    assert.equal(local.state(), state, 'the same frozen object every time')
  })

  it('throws jwks_unavailable at construction for a value that is not a key set', () => {
    assert.throws(
      () => createLocalKeySet({ key: [] }, 'keys.json'),
      (error: unknown) =>
        error instanceof TesseraError &&
        error.code === 'jwks_unavailable' &&
        error.expected === '{"keys": [...]}' &&
        error.actual === 'object',
    )
  })
})
