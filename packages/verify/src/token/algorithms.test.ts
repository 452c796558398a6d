import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { algorithms, isForbiddenAlgorithm, isJwsAlgorithm, jwsAlgorithms } from './algorithms.ts'

describe('the algorithm table', () => {
  it('lists every supported asymmetric algorithm in table order', () => {
    assert.deepEqual(jwsAlgorithms, [
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
      'ES256',
      'ES384',
      'ES512',
      'EdDSA',
      'Ed25519',
    ])
  })

  it('is frozen, so no caller can add an algorithm at run time', () => {
    assert.equal(Object.isFrozen(algorithms), true)
    assert.equal(Object.isFrozen(jwsAlgorithms), true)
  })

  it('binds RSA algorithms to RSA keys with their digest, PSS only for PS*', () => {
    for (const [alg, hash] of [
      ['RS256', 'sha256'],
      ['RS384', 'sha384'],
      ['RS512', 'sha512'],
    ] as const) {
      assert.deepEqual(algorithms[alg], { kty: 'RSA', hash })
    }
    for (const [alg, hash] of [
      ['PS256', 'sha256'],
      ['PS384', 'sha384'],
      ['PS512', 'sha512'],
    ] as const) {
      assert.deepEqual(algorithms[alg], { kty: 'RSA', hash, pss: true })
    }
  })

  it('binds each ECDSA algorithm to one curve and its r‖s part size (RFC 7518 §3.4)', () => {
    assert.deepEqual(algorithms.ES256, {
      kty: 'EC',
      hash: 'sha256',
      curves: ['P-256'],
      ecdsaPartBytes: 32,
    })
    assert.deepEqual(algorithms.ES384, {
      kty: 'EC',
      hash: 'sha384',
      curves: ['P-384'],
      ecdsaPartBytes: 48,
    })
    assert.deepEqual(algorithms.ES512, {
      kty: 'EC',
      hash: 'sha512',
      curves: ['P-521'],
      ecdsaPartBytes: 66,
    })
  })

  it('lets EdDSA use either Edwards curve and Ed25519 (RFC 9864) only Ed25519', () => {
    assert.deepEqual(algorithms.EdDSA, { kty: 'OKP', hash: null, curves: ['Ed25519', 'Ed448'] })
    assert.deepEqual(algorithms.Ed25519, { kty: 'OKP', hash: null, curves: ['Ed25519'] })
  })
})

describe('isJwsAlgorithm', () => {
  it('accepts every supported name exactly as spelled', () => {
    for (const alg of jwsAlgorithms) assert.equal(isJwsAlgorithm(alg), true, alg)
  })

  it('is case-sensitive', () => {
    assert.equal(isJwsAlgorithm('rs256'), false)
    assert.equal(isJwsAlgorithm('EDDSA'), false)
    assert.equal(isJwsAlgorithm('ed25519'), false)
  })

  it('refuses none, HMAC and names Tessera does not verify', () => {
    for (const alg of ['none', 'HS256', 'HS384', 'HS512', 'ES256K', 'ES521', 'RSA-OAEP', ''])
      assert.equal(isJwsAlgorithm(alg), false, alg)
  })

  it('refuses non-strings and inherited property names', () => {
    for (const value of [
      undefined,
      null,
      256,
      {},
      ['RS256'],
      'toString',
      '__proto__',
      'constructor',
    ])
      assert.equal(isJwsAlgorithm(value), false, String(value))
  })
})

describe('isForbiddenAlgorithm', () => {
  it('forbids none in any letter case', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE'])
      assert.equal(isForbiddenAlgorithm(alg), true)
  })

  it('forbids every HMAC name in any letter case', () => {
    for (const alg of ['HS256', 'HS384', 'HS512', 'hs256', 'Hs1']) {
      assert.equal(isForbiddenAlgorithm(alg), true, alg)
    }
  })

  it('does not forbid asymmetric or merely similar names', () => {
    for (const alg of [...jwsAlgorithms, 'HS', 'HS256x', 'nonex', 'xnone', ' none'])
      assert.equal(isForbiddenAlgorithm(alg), false, alg)
  })
})
