import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose'
import { TesseraError } from '../explain/tessera-error.ts'
import { jwkThumbprint } from '../keys/import-jwk.ts'
import { MemoryReplayStore } from '../replay/memory-replay-store.ts'
import { jwsAlgorithms } from '../token/algorithms.ts'
import { createDpopProof } from './create-proof.ts'
import { generateDpopKeyPair } from './generate-key-pair.ts'
import { validateDpopProof } from './validate-proof.ts'

const now = 1_800_000_000
const url = 'https://api.example.com/orders/42?page=2#top'

describe('createDpopProof', () => {
  // Interoperability: jose, an independent implementation, must accept our proofs and agree on
  // the key thumbprint (RFC 7638) and the claims.
  for (const alg of ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'] as const) {
    it(`makes a ${alg} proof that jose verifies with its embedded jwk`, async () => {
      const key = generateDpopKeyPair(alg)
      const proof = createDpopProof({
        key,
        method: 'POST',
        url,
        accessToken: 'at-123',
        nonce: 'n-1',
        now,
        jti: 'jti-1',
      })
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: [alg],
        currentDate: new Date(now * 1000),
      })
      assert.deepEqual(payload, {
        jti: 'jti-1',
        htm: 'POST',
        htu: 'https://api.example.com/orders/42',
        iat: now,
        ath: createHash('sha256').update('at-123').digest('base64url'),
        nonce: 'n-1',
      })
      assert.equal(protectedHeader.alg, alg)
      assert.ok(protectedHeader.jwk !== undefined && !('d' in protectedHeader.jwk))
      const josePrint = await calculateJwkThumbprint(protectedHeader.jwk, 'sha256')
      assert.equal(josePrint, jwkThumbprint(key.publicJwk as Record<string, unknown>))
      const ours = await validateDpopProof({
        proof,
        method: 'POST',
        url,
        accessToken: 'at-123',
        clock: () => now,
        options: {
          maxProofAge: 300,
          leeway: 5,
          algorithms: jwsAlgorithms,
          replay: new MemoryReplayStore({ clock: () => now }),
          maxProofBytes: 8192,
        },
      })
      assert.equal(ours.jkt, josePrint)
    })
  }

  it('leaves out ath and nonce when not given, and picks a fresh random jti', () => {
    const key = generateDpopKeyPair()
    const decode = (p: string) =>
      JSON.parse(Buffer.from(p.split('.')[1] as string, 'base64url').toString())
    const a = decode(createDpopProof({ key, method: 'GET', url: 'https://a.example/x', now }))
    const b = decode(createDpopProof({ key, method: 'GET', url: 'https://a.example/x', now }))
    assert.deepEqual(Object.keys(a), ['jti', 'htm', 'htu', 'iat'])
    assert.match(a.jti, /^[A-Za-z0-9_-]{22}$/)
    assert.notEqual(a.jti, b.jti)
  })

  it('uses the system clock when now is not given', () => {
    const key = generateDpopKeyPair('EdDSA')
    const proof = createDpopProof({ key, method: 'GET', url: 'https://a.example/x' })
    const { iat } = JSON.parse(Buffer.from(proof.split('.')[1] as string, 'base64url').toString())
    assert.ok(Math.abs(iat - Date.now() / 1000) < 60)
    assert.equal(decodeProtectedHeader(proof).typ, 'dpop+jwt')
  })

  it('refuses a url that is not absolute with invalid_request', () => {
    const key = generateDpopKeyPair()
    assert.throws(
      () => createDpopProof({ key, method: 'GET', url: '/relative' }),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.deepEqual(
          { code: error.code, check: error.check, expected: error.expected, actual: error.actual },
          {
            code: 'invalid_request',
            check: 'url',
            expected: 'an absolute http(s) URL',
            actual: '/relative',
          },
        )
        return true
      },
    )
  })
})

describe('generateDpopKeyPair', () => {
  it('makes an ES256 key by default with a public-only JWK', () => {
    const key = generateDpopKeyPair()
    assert.equal(key.alg, 'ES256')
    assert.deepEqual(Object.keys(key.publicJwk).sort(), ['crv', 'kty', 'x', 'y'])
    assert.equal(key.publicJwk.crv, 'P-256')
    assert.equal(key.privateKey.type, 'private')
  })

  it('makes RSA keys of 2048 bits and Ed25519 for EdDSA', () => {
    const rsa = generateDpopKeyPair('PS256')
    assert.equal(rsa.privateKey.asymmetricKeyDetails?.modulusLength, 2048)
    assert.equal(generateDpopKeyPair('EdDSA').publicJwk.crv, 'Ed25519')
    assert.equal(generateDpopKeyPair('ES512').publicJwk.crv, 'P-521')
  })

  it('refuses an algorithm it cannot sign with, with invalid_options', () => {
    assert.throws(
      () => generateDpopKeyPair('HS256' as 'ES256'),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          ['alg'],
        )
        return true
      },
    )
  })
})
