import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { calculateJwkThumbprint, type JWK } from 'jose'
import { generateTestKey } from '../../test/support/token-factory.ts'
import { importJwk, isVerificationKey, jwkThumbprint, minRsaBits } from './import-jwk.ts'
import type { RejectedKey, VerificationKey } from './verification-key.ts'

// RFC 7638 §3.1: the example RSA key (from RFC 7517 appendix A.1) and its SHA-256 thumbprint.
const rfc7638Key = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP' +
    'ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2Qvzq' +
    'Y368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f' +
    'M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
}
const rfc7638Thumbprint = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs'

interface WycheproofCase {
  readonly id: string
  readonly keys: { readonly keys: readonly Record<string, unknown>[] }
}
const wycheproof = JSON.parse(
  readFileSync(
    new URL('../../test/vectors/fixtures/wycheproof-subset.json', import.meta.url),
    'utf8',
  ),
) as { cases: WycheproofCase[] }
const wycheproofKeys = (id: string): readonly Record<string, unknown>[] => {
  const found = wycheproof.cases.find((c) => c.id === id)
  assert.ok(found, `Wycheproof case ${id}`)
  return found.keys.keys
}

const rsa = generateTestKey('RS256', 'rsa-1')
const p256 = generateTestKey('ES256', 'p256-1')
const p384 = generateTestKey('ES384', 'p384-1')
const p521 = generateTestKey('ES512', 'p521-1')
const ed25519 = generateTestKey('EdDSA', 'ed-1')
const ed448Jwk = generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' })
const rsa1024Jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
  format: 'jwk',
})

function accepted(jwk: unknown): VerificationKey {
  const result = importJwk(jwk)
  assert.ok(isVerificationKey(result), `refused: ${(result as RejectedKey).reason}`)
  return result
}

function refused(jwk: unknown): RejectedKey {
  const result = importJwk(jwk)
  assert.ok(!isVerificationKey(result), 'expected the key to be refused')
  return result
}

describe('importJwk', () => {
  describe('usable keys', () => {
    it('imports an RSA key with its kid, alg, size and thumbprint', async () => {
      const key = accepted(rsa.jwk)
      assert.equal(key.kid, 'rsa-1')
      assert.equal(key.kty, 'RSA')
      assert.equal(key.alg, 'RS256')
      assert.equal(key.bits, 2048)
      assert.equal(key.crv, undefined)
      assert.equal(key.thumbprint, await calculateJwkThumbprint(rsa.jwk as JWK))
      assert.equal(key.key.type, 'public')
      assert.equal(key.key.asymmetricKeyType, 'rsa')
    })

    it('imports EC keys on P-256, P-384 and P-521', () => {
      for (const [test, crv] of [
        [p256, 'P-256'],
        [p384, 'P-384'],
        [p521, 'P-521'],
      ] as const) {
        const key = accepted(test.jwk)
        assert.equal(key.kty, 'EC')
        assert.equal(key.crv, crv)
        assert.equal(key.alg, test.alg)
        assert.equal(key.bits, undefined)
        assert.equal(key.key.asymmetricKeyType, 'ec')
        assert.equal(
          key.key.asymmetricKeyDetails?.namedCurve,
          test.publicKey.asymmetricKeyDetails?.namedCurve,
        )
      }
    })

    it('imports OKP keys on Ed25519 and Ed448', () => {
      const ed = accepted(ed25519.jwk)
      assert.equal(ed.kty, 'OKP')
      assert.equal(ed.crv, 'Ed25519')
      assert.equal(ed.key.asymmetricKeyType, 'ed25519')
      const ed448 = accepted(ed448Jwk)
      assert.equal(ed448.crv, 'Ed448')
      assert.equal(ed448.key.asymmetricKeyType, 'ed448')
      assert.equal(ed448.kid, undefined)
      assert.equal(ed448.alg, undefined)
    })

    it('accepts use "sig" and key_ops that include "verify"', () => {
      accepted({ ...p256.jwk, use: 'sig', key_ops: ['verify'] })
      accepted({ ...p256.jwk, key_ops: ['sign', 'verify'] })
      accepted({ ...p256.jwk, use: undefined, key_ops: undefined })
    })

    it('accepts any asymmetric alg Tessera verifies, whatever the key type', () => {
      // The alg/key combination is judged at selection (explainKeyMismatch), not at import.
      assert.equal(accepted({ ...rsa.jwk, alg: 'PS512' }).alg, 'PS512')
      assert.equal(accepted({ ...p256.jwk, alg: 'RS256' }).alg, 'RS256')
      assert.equal(accepted({ ...ed25519.jwk, alg: 'Ed25519' }).alg, 'Ed25519')
    })

    it('accepts an RSA exponent of 3 and one written with leading zero octets', () => {
      assert.ok(accepted({ ...rsa.jwk, e: 'Aw' }))
      assert.ok(accepted({ ...rsa.jwk, e: 'AAEAAQ' }))
    })

    it(`accepts an RSA modulus of exactly ${minRsaBits} bits`, () => {
      assert.equal(accepted(rsa.jwk).bits, minRsaBits)
    })

    it('imports the Wycheproof valid RSA key (wp-jwk-set-0406)', () => {
      const [jwk] = wycheproofKeys('wp-jwk-set-0406')
      assert.equal(accepted(jwk).kid, 'kid-rsa-sign')
    })
  })

  describe('refused keys', () => {
    it('refuses a value that is not a JSON object', () => {
      for (const value of [null, undefined, 'key', 7, [], [rsa.jwk]]) {
        assert.deepEqual(importJwk(value), { reason: 'the key is not a JSON object' })
      }
    })

    it('refuses a kid that is not a string, keeping the kty', () => {
      assert.deepEqual(importJwk({ ...p256.jwk, kid: 5 }), {
        kty: 'EC',
        reason: 'kid is not a string',
      })
    })

    it('refuses symmetric (oct) keys, since HMAC is never accepted', () => {
      assert.deepEqual(importJwk({ kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' }), {
        kid: 'hmac',
        kty: 'oct',
        reason: 'symmetric (oct) keys are never used: HMAC is not accepted',
      })
    })

    it('refuses a missing or unsupported kty', () => {
      assert.deepEqual(importJwk({ kid: 'a' }), { kid: 'a', reason: 'unsupported kty null' })
      assert.deepEqual(importJwk({ kty: 'AKP' }), { kty: 'AKP', reason: 'unsupported kty "AKP"' })
      assert.deepEqual(importJwk({ kty: 7 }), { reason: 'unsupported kty null' })
    })

    it('refuses a key carrying any private member', () => {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
        assert.deepEqual(
          importJwk({ ...rsa.jwk, [member]: 'AQAB' }),
          {
            kid: 'rsa-1',
            kty: 'RSA',
            reason: 'the key set holds private key material; it must publish public keys only',
          },
          member,
        )
      }
      const privateEc = p256.privateKey.export({ format: 'jwk' })
      assert.equal(
        refused(privateEc).reason,
        'the key set holds private key material; it must publish public keys only',
      )
    })

    it('refuses a use other than "sig"', () => {
      assert.deepEqual(importJwk({ ...p256.jwk, use: 'enc' }), {
        kid: 'p256-1',
        kty: 'EC',
        reason: 'use is "enc", not "sig"',
      })
      assert.equal(refused({ ...p256.jwk, use: 'SIG' }).reason, 'use is "SIG", not "sig"')
    })

    it('refuses key_ops without "verify", or not a list', () => {
      for (const keyOps of [['sign'], [], ['encrypt', 'wrapKey'], 'verify']) {
        assert.deepEqual(importJwk({ ...p256.jwk, key_ops: keyOps }), {
          kid: 'p256-1',
          kty: 'EC',
          reason: 'key_ops does not include "verify"',
        })
      }
    })

    it('refuses an alg that is not an asymmetric signature algorithm', () => {
      for (const alg of ['HS256', 'none', 'RSA-OAEP', 'ES256K', 'rs256']) {
        assert.deepEqual(importJwk({ ...rsa.jwk, alg }), {
          kid: 'rsa-1',
          kty: 'RSA',
          reason: `alg ${JSON.stringify(alg)} is not an asymmetric signature algorithm Tessera verifies`,
        })
      }
      assert.equal(
        refused({ ...rsa.jwk, alg: 256 }).reason,
        'alg 256 is not an asymmetric signature algorithm Tessera verifies',
      )
    })

    it(`refuses an RSA modulus shorter than ${minRsaBits} bits`, () => {
      assert.deepEqual(importJwk({ ...rsa1024Jwk, kid: 'short' }), {
        kid: 'short',
        kty: 'RSA',
        reason: 'RSA modulus is 1024 bits, less than 2048',
      })
      // One bit short of the limit: the 2048-bit modulus shifted right once.
      const n = BigInt(`0x${Buffer.from(String(rsa.jwk.n), 'base64url').toString('hex')}`) >> 1n
      const n2047 = Buffer.from(n.toString(16).padStart(512, '0'), 'hex').toString('base64url')
      assert.equal(
        refused({ ...rsa.jwk, n: n2047 }).reason,
        'RSA modulus is 2047 bits, less than 2048',
      )
    })

    it('refuses a modulus padded with leading zero octets, so padding cannot pass a short key', () => {
      const short = Buffer.from(String(rsa1024Jwk.n), 'base64url')
      const padded = Buffer.concat([Buffer.alloc(256 - short.length), short]).toString('base64url')
      assert.equal(
        refused({ ...rsa1024Jwk, n: padded }).reason,
        'RSA modulus n has a leading zero octet (RFC 7518 §6.3.1.1)',
      )
    })

    it('refuses a public exponent of 1, 0 or an even number', () => {
      for (const [e, value] of [
        ['AQ', 1],
        ['AA', 0],
        ['AQAC', 65538],
        ['Ag', 2],
      ] as const) {
        assert.deepEqual(importJwk({ ...rsa.jwk, e }), {
          kid: 'rsa-1',
          kty: 'RSA',
          reason: `RSA public exponent ${value} is not an odd number >= 3`,
        })
      }
    })

    it('refuses an RSA key without n or e, or with members that are not base64url', () => {
      for (const change of [
        { n: undefined },
        { e: undefined },
        { n: 'a+b/' },
        { e: 7 },
        { n: '' },
      ]) {
        assert.equal(refused({ ...rsa.jwk, ...change }).reason, 'RSA key lacks n or e')
      }
    })

    it('refuses a key whose modulus carries the ROCA fingerprint (wp-jwk-set-0408)', () => {
      const [jwk] = wycheproofKeys('wp-jwk-set-0408')
      assert.deepEqual(importJwk(jwk), {
        kid: 'kid-rsa-roca-sign',
        kty: 'RSA',
        reason: 'RSA modulus carries the ROCA fingerprint (CVE-2017-15361)',
      })
    })

    it('refuses an unsupported or missing curve', () => {
      assert.deepEqual(importJwk({ ...p256.jwk, crv: 'secp256k1' }), {
        kid: 'p256-1',
        kty: 'EC',
        reason: 'unsupported EC curve "secp256k1"',
      })
      assert.equal(refused({ ...p256.jwk, crv: undefined }).reason, 'unsupported EC curve null')
      assert.equal(
        refused({ ...p256.jwk, crv: 'Ed25519' }).reason,
        'unsupported EC curve "Ed25519"',
      )
      const x25519 = generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' })
      assert.deepEqual(importJwk(x25519), { kty: 'OKP', reason: 'unsupported OKP curve "X25519"' })
      assert.equal(
        refused({ ...ed25519.jwk, crv: 'P-256' }).reason,
        'unsupported OKP curve "P-256"',
      )
    })

    it('refuses an EC point that is not on the curve', () => {
      const reason = 'the EC key could not be imported (invalid encoding or point not on the curve)'
      assert.deepEqual(importJwk({ ...p256.jwk, y: p256.jwk.x }), {
        kid: 'p256-1',
        kty: 'EC',
        reason,
      })
      assert.equal(refused({ ...p256.jwk, x: 'AAAA' }).reason, reason)
      assert.equal(refused({ ...p256.jwk, crv: 'P-384' }).reason, reason)
    })

    it('refuses an OKP key whose x has the wrong length', () => {
      assert.equal(
        refused({ ...ed25519.jwk, x: 'AAAA' }).reason,
        'the OKP key could not be imported (invalid encoding or point not on the curve)',
      )
    })

    it('refuses the Wycheproof key-hygiene vectors', () => {
      const expectations: Record<string, string> = {
        'wp-jwk-set-0407': 'use is "enc", not "sig"',
        'wp-jwk-set-0409': 'RSA modulus is 1024 bits, less than 2048',
        'wp-jwk-set-0410': 'RSA public exponent 1 is not an odd number >= 3',
        'wp-jwk-set-0420': 'alg "ES521" is not an asymmetric signature algorithm Tessera verifies',
        'wp-jwk-set-0421': 'alg "ES224" is not an asymmetric signature algorithm Tessera verifies',
        'wp-jwk-set-0423':
          'the EC key could not be imported (invalid encoding or point not on the curve)',
        'wp-jwk-set-0424':
          'the EC key could not be imported (invalid encoding or point not on the curve)',
        'wp-jwk-set-0425': 'RSA key lacks n or e',
        'wp-jwk-set-0426': 'symmetric (oct) keys are never used: HMAC is not accepted',
      }
      for (const [id, reason] of Object.entries(expectations)) {
        for (const jwk of wycheproofKeys(id)) assert.equal(refused(jwk).reason, reason, id)
      }
    })
  })
})

describe('isVerificationKey', () => {
  it('tells an imported key from a refusal', () => {
    assert.equal(isVerificationKey(importJwk(p256.jwk)), true)
    assert.equal(isVerificationKey(importJwk({ kty: 'oct' })), false)
  })
})

describe('jwkThumbprint', () => {
  it('matches the RFC 7638 §3.1 example', () => {
    assert.equal(jwkThumbprint(rfc7638Key), rfc7638Thumbprint)
    assert.equal(accepted(rfc7638Key).thumbprint, rfc7638Thumbprint)
  })

  it('agrees with jose for RSA, EC and OKP keys', async () => {
    for (const jwk of [rsa.jwk, p256.jwk, p384.jwk, p521.jwk, ed25519.jwk, ed448Jwk, rfc7638Key]) {
      assert.equal(jwkThumbprint(jwk), await calculateJwkThumbprint(jwk as JWK))
    }
  })

  it('uses only the required members, so kid, alg and use do not change it', () => {
    const bare = { kty: p256.jwk.kty, crv: p256.jwk.crv, x: p256.jwk.x, y: p256.jwk.y }
    assert.equal(
      jwkThumbprint({ ...bare, kid: 'other', alg: 'ES256', use: 'sig' }),
      jwkThumbprint(bare),
    )
    assert.notEqual(jwkThumbprint(p256.jwk), jwkThumbprint(p384.jwk))
  })
})
