import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateTestKey, jwksOf } from '../../test/support/token-factory.ts'
import { TesseraError, type TesseraErrorJson } from '../explain/tessera-error.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import { maxCandidatesWithoutKid, selectKeys } from './key-selection.ts'
import { importKeySet, type KeySet } from './key-set.ts'

const source = 'https://idp.example'
const rsa = generateTestKey('RS256', 'Key-A')
const ec = generateTestKey('ES256', 'ec-1')
const ed = generateTestKey('EdDSA', 'ed-1')
const set = importKeySet(
  { keys: [rsa.jwk, ec.jwk, ed.jwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }] },
  source,
)

function rejection(fn: () => unknown): TesseraErrorJson {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    return error.toJSON()
  }
  return assert.fail('expected a TesseraError')
}

const select = (s: KeySet, kid: string | undefined, alg: JwsAlgorithm): TesseraErrorJson =>
  rejection(() => selectKeys(s, kid, alg, source))

describe('selectKeys', () => {
  describe('with a kid', () => {
    it('returns the one key with that kid', () => {
      const keys = selectKeys(set, 'ec-1', 'ES256', source)
      assert.equal(keys.length, 1)
      assert.equal(keys[0]?.kid, 'ec-1')
      assert.equal(keys[0], set.keys[1], 'the imported key object itself')
    })

    it('compares kids exactly', () => {
      assert.equal(selectKeys(set, 'Key-A', 'RS256', source)[0]?.kid, 'Key-A')
      assert.equal(select(set, 'Key-A ', 'RS256').code, 'unknown_key')
    })

    it('rejects an unknown kid as unknown_key listing the kids it knows', () => {
      assert.deepEqual(select(set, 'zzz', 'RS256'), {
        code: 'unknown_key',
        check: 'key',
        message: `kid "zzz" is not one of ["Key-A", "ec-1", "ed-1"] in ${source}`,
        expected: ['Key-A', 'ec-1', 'ed-1'],
        actual: 'zzz',
      })
    })

    it('gives the case hint for a kid that differs only by letter case', () => {
      assert.deepEqual(select(set, 'key-a', 'RS256'), {
        code: 'unknown_key',
        check: 'key',
        message: `kid "key-a" is not one of ["Key-A", "ec-1", "ed-1"] in ${source}: the values differ only by letter case`,
        expected: ['Key-A', 'ec-1', 'ed-1'],
        actual: 'key-a',
        hint: 'case',
      })
    })

    it('gives the whitespace hint for a kid with a stray space', () => {
      const error = select(set, 'ec-1 ', 'ES256')
      assert.equal(error.code, 'unknown_key')
      assert.equal(error.hint, 'whitespace')
      assert.equal(error.actual, 'ec-1 ')
    })

    it('explains why a key with that kid was refused', () => {
      assert.deepEqual(select(set, 'hmac', 'RS256'), {
        code: 'unknown_key',
        check: 'key',
        message: `key "hmac" in ${source} was refused: symmetric (oct) keys are never used: HMAC is not accepted`,
        expected: 'a usable public signature key',
        actual: 'symmetric (oct) keys are never used: HMAC is not accepted',
      })
    })

    it('rejects a kid repeated by usable keys as unknown_key, never guessing', () => {
      const other = generateTestKey('RS256', 'Key-A')
      const duplicated = importKeySet(jwksOf(rsa, other), source)
      assert.deepEqual(select(duplicated, 'Key-A', 'RS256'), {
        code: 'unknown_key',
        check: 'key',
        message: `kid "Key-A" matches 2 keys for RS256 in ${source}: a key set must not repeat a kid`,
        expected: 'one key per kid',
        actual: '2 keys',
      })
    })

    it('picks the one key of a repeated kid that can verify the alg', () => {
      const sameKid = importKeySet(
        {
          keys: [
            { ...ec.jwk, kid: 'shared' },
            { ...rsa.jwk, kid: 'shared' },
          ],
        },
        source,
      )
      const keys = selectKeys(sameKid, 'shared', 'RS256', source)
      assert.deepEqual(
        keys.map((k) => k.kty),
        ['RSA'],
      )
    })

    it('rejects a key of another type as key_type_mismatch naming what the key is for', () => {
      assert.deepEqual(select(set, 'ec-1', 'RS256'), {
        code: 'key_type_mismatch',
        check: 'key',
        message: 'key "ec-1" cannot verify RS256: RS256 needs an RSA key, the key is EC',
        expected: 'ES256',
        actual: 'RS256',
      })
      assert.deepEqual(select(set, 'ed-1', 'ES256'), {
        code: 'key_type_mismatch',
        check: 'key',
        message: 'key "ed-1" cannot verify ES256: ES256 needs an EC key, the key is OKP',
        expected: 'EdDSA',
        actual: 'ES256',
      })
    })

    it('names the key type and curve when the key declares no alg', () => {
      const bare = importKeySet(
        {
          keys: [
            { ...ec.jwk, alg: undefined },
            { ...rsa.jwk, alg: undefined },
          ],
        },
        source,
      )
      assert.deepEqual(select(bare, 'ec-1', 'ES384'), {
        code: 'key_type_mismatch',
        check: 'key',
        message: 'key "ec-1" cannot verify ES384: ES384 needs curve P-384, the key is on P-256',
        expected: 'EC P-256',
        actual: 'ES384',
      })
      assert.deepEqual(select(bare, 'Key-A', 'EdDSA'), {
        code: 'key_type_mismatch',
        check: 'key',
        message: 'key "Key-A" cannot verify EdDSA: EdDSA needs an OKP key, the key is RSA',
        expected: 'RSA',
        actual: 'EdDSA',
      })
    })

    it('holds a key to the alg it is published for', () => {
      assert.deepEqual(select(set, 'Key-A', 'PS256'), {
        code: 'key_type_mismatch',
        check: 'key',
        message: 'key "Key-A" cannot verify PS256: the key is published for RS256 only',
        expected: 'RS256',
        actual: 'PS256',
      })
    })

    it('treats EdDSA and Ed25519 as one algorithm on an Ed25519 key', () => {
      assert.equal(selectKeys(set, 'ed-1', 'Ed25519', source)[0]?.kid, 'ed-1')
      const fullySpecified = importKeySet({ keys: [{ ...ed.jwk, alg: 'Ed25519' }] }, source)
      assert.equal(selectKeys(fullySpecified, 'ed-1', 'EdDSA', source)[0]?.kid, 'ed-1')
      assert.equal(selectKeys(fullySpecified, 'ed-1', 'Ed25519', source)[0]?.kid, 'ed-1')
    })

    it('redacts and caps the list of known kids', () => {
      const many = importKeySet(
        { keys: Array.from({ length: 12 }, (_, i) => ({ ...ec.jwk, kid: `k${i}` })) },
        source,
      )
      const error = select(many, 'nope', 'ES256')
      assert.deepEqual(error.expected, [
        ...Array.from({ length: 10 }, (_, i) => `k${i}`),
        '… 2 more',
      ])
    })
  })

  describe('without a kid', () => {
    it('returns every key that can verify the alg', () => {
      const keys = selectKeys(set, undefined, 'EdDSA', source)
      assert.deepEqual(
        keys.map((k) => k.kid),
        ['ed-1'],
      )
    })

    it(`returns at most ${maxCandidatesWithoutKid} keys, in set order`, () => {
      const six = importKeySet(
        { keys: Array.from({ length: 6 }, (_, i) => ({ ...ec.jwk, kid: `k${i}` })) },
        source,
      )
      assert.deepEqual(
        selectKeys(six, undefined, 'ES256', source).map((k) => k.kid),
        ['k0', 'k1', 'k2', 'k3'],
      )
    })

    it('skips keys that cannot verify the alg before applying the cap', () => {
      const mixed = importKeySet(
        {
          keys: [
            ...Array.from({ length: 5 }, (_, i) => ({ ...rsa.jwk, kid: `r${i}` })),
            { ...ec.jwk, kid: 'e0' },
          ],
        },
        source,
      )
      assert.deepEqual(
        selectKeys(mixed, undefined, 'ES256', source).map((k) => k.kid),
        ['e0'],
      )
    })

    it('rejects as unknown_key when no key can verify the alg, listing the keys', () => {
      const withBare = importKeySet(
        { keys: [rsa.jwk, { ...ec.jwk, kid: undefined, alg: undefined }] },
        source,
      )
      assert.deepEqual(select(withBare, undefined, 'ES512'), {
        code: 'unknown_key',
        check: 'key',
        message: `token has no kid and no key in ${source} can verify ES512`,
        expected: ['Key-A RS256', '(no kid) EC'],
        actual: 'no kid, alg ES512',
      })
    })

    it('rejects as unknown_key when the set is empty', () => {
      assert.deepEqual(select(importKeySet({ keys: [] }, source), undefined, 'RS256'), {
        code: 'unknown_key',
        check: 'key',
        message: `token has no kid and no key in ${source} can verify RS256`,
        expected: [],
        actual: 'no kid, alg RS256',
      })
    })
  })
})
