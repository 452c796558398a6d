import assert from 'node:assert/strict'
import { constants, generateKeyPairSync, type KeyObject, sign } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { generateTestKey, signJws, type TestKey } from '../../test/support/token-factory.ts'
import type { VerificationKey } from '../keys/verification-key.ts'
import { type JwsAlgorithm, jwsAlgorithms } from '../token/algorithms.ts'
import { decodeJws } from '../token/decode.ts'
import { verifySignature } from './signature.ts'

const asKey = (k: TestKey): VerificationKey => {
  const kty = k.jwk.kty as VerificationKey['kty']
  const crv = k.jwk.crv as string | undefined
  return { kty, ...(crv === undefined ? {} : { crv }), thumbprint: 'tp', key: k.publicKey }
}

/**
 * Signs `payload` with `key` and returns what verifySignature needs. PS* is signed here: the
 * shared token factory passes `padding: 2` (not RSA_PKCS1_PSS_PADDING) and cannot sign PSS.
 */
function signed(key: TestKey, payload = '{"sub":"x"}') {
  if (key.alg.startsWith('PS')) {
    const hash = `sha${key.alg.slice(2)}`
    const header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid })).toString('base64url')
    const signingInput = `${header}.${Buffer.from(payload).toString('base64url')}`
    const signature = sign(hash, Buffer.from(signingInput), {
      key: key.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(key.alg.slice(2)) / 8,
    })
    return { signingInput, signature }
  }
  const jws = decodeJws(signJws(key, payload), 1 << 20)
  return { signingInput: jws.signingInput, signature: jws.signature }
}

describe('verifySignature', () => {
  const keys = new Map<JwsAlgorithm, TestKey>()
  let otherRsa: TestKey
  let otherEc: TestKey
  let ed448: { privateKey: KeyObject; publicKey: KeyObject }

  before(() => {
    const rsa = generateTestKey('RS256', 'rsa')
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const) {
      keys.set(alg, { ...rsa, alg })
    }
    keys.set('ES256', generateTestKey('ES256'))
    keys.set('ES384', generateTestKey('ES384'))
    keys.set('ES512', generateTestKey('ES512'))
    const ed = generateTestKey('EdDSA')
    keys.set('EdDSA', ed)
    keys.set('Ed25519', { ...ed, alg: 'Ed25519' })
    otherRsa = generateTestKey('RS256', 'other-rsa')
    otherEc = generateTestKey('ES256', 'other-ec')
    ed448 = generateKeyPairSync('ed448')
  })

  const key = (alg: JwsAlgorithm): TestKey => keys.get(alg) as TestKey

  for (const alg of jwsAlgorithms) {
    it(`verifies a valid ${alg} signature`, () => {
      const { signingInput, signature } = signed(key(alg))
      assert.equal(verifySignature(alg, asKey(key(alg)), signingInput, signature), true)
    })

    it(`rejects a ${alg} signature over altered input`, () => {
      const { signingInput, signature } = signed(key(alg))
      const altered = `${signingInput.slice(0, -2)}x${signingInput.slice(-1)}`
      assert.equal(verifySignature(alg, asKey(key(alg)), altered, signature), false)
    })
  }

  it('rejects a signature made by another key of the same type', () => {
    const { signingInput, signature } = signed(key('RS256'))
    assert.equal(verifySignature('RS256', asKey(otherRsa), signingInput, signature), false)
    const ec = signed(key('ES256'))
    assert.equal(verifySignature('ES256', asKey(otherEc), ec.signingInput, ec.signature), false)
  })

  it('rejects an ECDSA signature of the wrong length', () => {
    const { signingInput, signature } = signed(key('ES256'))
    assert.equal(
      verifySignature('ES256', asKey(key('ES256')), signingInput, signature.subarray(0, 63)),
      false,
    )
  })

  it('rejects a DER-encoded ECDSA signature (JWS uses r‖s)', () => {
    const { signingInput } = signed(key('ES256'))
    const der = sign('sha256', Buffer.from(signingInput), key('ES256').privateKey)
    assert.equal(verifySignature('ES256', asKey(key('ES256')), signingInput, der), false)
  })

  it('rejects a PSS signature whose salt is not as long as the hash', () => {
    const { signingInput } = signed(key('PS256'))
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: key('PS256').privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 20,
    })
    assert.equal(verifySignature('PS256', asKey(key('PS256')), signingInput, signature), false)
  })

  it('does not accept a PKCS#1 v1.5 signature as PSS or the reverse', () => {
    const rs = signed(key('RS256'))
    assert.equal(
      verifySignature('PS256', asKey(key('PS256')), rs.signingInput, rs.signature),
      false,
    )
    const ps = signed(key('PS256'))
    assert.equal(
      verifySignature('RS256', asKey(key('RS256')), ps.signingInput, ps.signature),
      false,
    )
  })

  it('does not accept an RS256 signature under RS384', () => {
    const { signingInput, signature } = signed(key('RS256'))
    assert.equal(verifySignature('RS384', asKey(key('RS384')), signingInput, signature), false)
  })

  it('returns false, not an exception, when node:crypto throws on the inputs', () => {
    // An Ed25519 key with a SHA-256 digest makes OpenSSL throw.
    const { signingInput, signature } = signed(key('EdDSA'))
    assert.equal(verifySignature('RS256', asKey(key('EdDSA')), signingInput, signature), false)
  })

  it('returns false for an RSA signature longer than the modulus', () => {
    const { signingInput } = signed(key('RS256'))
    const long = Buffer.alloc(300, 0xff)
    assert.equal(verifySignature('RS256', asKey(key('RS256')), signingInput, long), false)
  })

  it('verifies EdDSA on Ed448', () => {
    const signingInput = 'eyJhbGciOiJFZERTQSJ9.e30'
    const signature = sign(null, Buffer.from(signingInput), ed448.privateKey)
    const key448: VerificationKey = {
      kty: 'OKP',
      crv: 'Ed448',
      thumbprint: 'tp',
      key: ed448.publicKey,
    }
    assert.equal(verifySignature('EdDSA', key448, signingInput, signature), true)
    assert.equal(verifySignature('EdDSA', key448, `${signingInput}x`, signature), false)
  })
})
