import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateTestKey } from '../../test/support/token-factory.ts'
import { type JwsAlgorithm, jwsAlgorithms } from '../token/algorithms.ts'
import { importJwk, isVerificationKey } from './import-jwk.ts'
import { explainKeyMismatch, type VerificationKey } from './verification-key.ts'

function imported(jwk: Record<string, unknown>): VerificationKey {
  const key = importJwk(jwk)
  assert.ok(isVerificationKey(key), 'key refused')
  return key
}

const withoutAlg = (jwk: Record<string, unknown>): Record<string, unknown> => {
  const { alg: _alg, ...rest } = jwk
  return rest
}

const rsa = imported(withoutAlg(generateTestKey('RS256').jwk))
const p256 = imported(withoutAlg(generateTestKey('ES256').jwk))
const p384 = imported(withoutAlg(generateTestKey('ES384').jwk))
const p521 = imported(withoutAlg(generateTestKey('ES512').jwk))
const ed25519Jwk = generateTestKey('EdDSA').jwk
const ed25519 = imported(withoutAlg(ed25519Jwk))
const ed448 = imported(generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' }))

const usable = (key: VerificationKey): JwsAlgorithm[] =>
  jwsAlgorithms.filter((alg) => explainKeyMismatch(key, alg) === undefined)

describe('explainKeyMismatch', () => {
  it('lets the key type decide the algorithm family (RFC 8725 §3.1)', () => {
    assert.deepEqual(usable(rsa), ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'])
    assert.deepEqual(usable(p256), ['ES256'])
    assert.deepEqual(usable(p384), ['ES384'])
    assert.deepEqual(usable(p521), ['ES512'])
    assert.deepEqual(usable(ed25519), ['EdDSA', 'Ed25519'])
    assert.deepEqual(usable(ed448), ['EdDSA'])
  })

  it('says which key type an algorithm needs', () => {
    assert.equal(explainKeyMismatch(p256, 'RS256'), 'RS256 needs an RSA key, the key is EC')
    assert.equal(explainKeyMismatch(rsa, 'ES256'), 'ES256 needs an EC key, the key is RSA')
    assert.equal(explainKeyMismatch(rsa, 'EdDSA'), 'EdDSA needs an OKP key, the key is RSA')
  })

  it('says which curve an algorithm needs', () => {
    assert.equal(explainKeyMismatch(p384, 'ES256'), 'ES256 needs curve P-256, the key is on P-384')
    assert.equal(
      explainKeyMismatch(ed448, 'Ed25519'),
      'Ed25519 needs curve Ed25519, the key is on Ed448',
    )
    assert.equal(
      explainKeyMismatch({ ...p256, crv: undefined } as unknown as VerificationKey, 'ES256'),
      'ES256 needs curve P-256, the key is on no curve',
    )
  })

  it('holds a key that declares an alg to that alg only', () => {
    const rs256Only = imported(generateTestKey('RS256').jwk)
    assert.equal(explainKeyMismatch(rs256Only, 'RS256'), undefined)
    assert.equal(explainKeyMismatch(rs256Only, 'PS256'), 'the key is published for RS256 only')
    assert.equal(explainKeyMismatch(rs256Only, 'RS512'), 'the key is published for RS256 only')
  })

  it('checks the key type before the declared alg', () => {
    const ecForRs = imported({ ...p256Jwk(), alg: 'RS256' })
    assert.equal(explainKeyMismatch(ecForRs, 'RS256'), 'RS256 needs an RSA key, the key is EC')
  })

  describe('EdDSA and Ed25519 (RFC 9864)', () => {
    it('accepts both names on an Ed25519 key published for EdDSA', () => {
      const key = imported({ ...ed25519Jwk, alg: 'EdDSA' })
      assert.equal(explainKeyMismatch(key, 'EdDSA'), undefined)
      assert.equal(explainKeyMismatch(key, 'Ed25519'), undefined)
    })

    it('accepts both names on an Ed25519 key published for Ed25519', () => {
      const key = imported({ ...ed25519Jwk, alg: 'Ed25519' })
      assert.equal(explainKeyMismatch(key, 'Ed25519'), undefined)
      assert.equal(explainKeyMismatch(key, 'EdDSA'), undefined)
    })

    it('does not extend the equivalence to Ed448 keys', () => {
      const published = generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' })
      const eddsa = imported({ ...published, alg: 'EdDSA' })
      assert.equal(explainKeyMismatch(eddsa, 'EdDSA'), undefined)
      assert.equal(
        explainKeyMismatch(eddsa, 'Ed25519'),
        'Ed25519 needs curve Ed25519, the key is on Ed448',
      )
      const mislabelled = imported({ ...published, alg: 'Ed25519' })
      assert.equal(
        explainKeyMismatch(mislabelled, 'EdDSA'),
        'the key is published for Ed25519 only',
      )
    })

    it('does not let an OKP alg label stand for an ECDSA one', () => {
      const key = imported({ ...ed25519Jwk, alg: 'EdDSA' })
      assert.equal(explainKeyMismatch(key, 'ES256'), 'ES256 needs an EC key, the key is OKP')
    })
  })
})

function p256Jwk(): Record<string, unknown> {
  return withoutAlg(generateTestKey('ES256').jwk)
}
