import assert from 'node:assert/strict'
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { openPrivateKey, sealPrivateKey } from './seal.ts'
import { testKek } from './testing/settings.ts'

const { privateKey, publicKey } = generateKeyPairSync('ed25519')
const der = privateKey.export({ format: 'der', type: 'pkcs8' })
const kid = 'kid-one'

function thrown(fn: () => unknown): TesseraError {
  try {
    fn()
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

describe('sealPrivateKey / openPrivateKey', () => {
  it('round-trips a PKCS#8 key into a KeyObject that signs', () => {
    const sealed = sealPrivateKey(der, testKek, kid)
    assert.match(sealed, /^[A-Za-z0-9_-]+$/)
    const opened = openPrivateKey(sealed, testKek, kid)
    const signature = sign(null, Buffer.from('x'), opened)
    assert.equal(verify(null, Buffer.from('x'), publicKey, signature), true)
  })

  it('uses a fresh IV each time, so sealing twice differs', () => {
    assert.notEqual(sealPrivateKey(der, testKek, kid), sealPrivateKey(der, testKek, kid))
  })

  it('stores iv ‖ ciphertext ‖ tag: 12 + len + 16 bytes', () => {
    const bytes = Buffer.from(sealPrivateKey(der, testKek, kid), 'base64url')
    assert.equal(bytes.length, 12 + der.length + 16)
    assert.equal(bytes.includes(der), false)
  })

  it('fails with internal_error naming the kid, and no key material, under a wrong KEK', () => {
    const sealed = sealPrivateKey(der, testKek, kid)
    const error = thrown(() => openPrivateKey(sealed, Buffer.alloc(32, 1), kid))
    assert.equal(error.code, 'internal_error')
    assert.match(error.message, /cannot open the private key of kid "kid-one"/)
    assert.ok(!error.message.includes(sealed.slice(0, 20)))
  })

  it('refuses a sealed key moved to another kid (the kid is the associated data)', () => {
    const sealed = sealPrivateKey(der, testKek, kid)
    assert.equal(thrown(() => openPrivateKey(sealed, testKek, 'kid-two')).code, 'internal_error')
  })

  it('refuses a record with a flipped bit', () => {
    const bytes = Buffer.from(sealPrivateKey(der, testKek, kid), 'base64url')
    bytes[20] = (bytes[20] ?? 0) ^ 1
    const error = thrown(() => openPrivateKey(bytes.toString('base64url'), testKek, kid))
    assert.equal(error.code, 'internal_error')
  })

  it('refuses malformed and truncated records', () => {
    assert.match(thrown(() => openPrivateKey('not base64url!', testKek, kid)).message, /malformed/)
    assert.match(thrown(() => openPrivateKey('AAAA', testKek, kid)).message, /malformed/)
  })

  it('refuses a sealed plaintext that is not a PKCS#8 key', () => {
    const sealed = sealPrivateKey(Buffer.from('not a key'), testKek, kid)
    assert.match(
      thrown(() => openPrivateKey(sealed, testKek, kid)).message,
      /not a PKCS#8 private key/,
    )
  })

  it('refuses a KEK that is not 32 bytes', () => {
    assert.equal(thrown(() => sealPrivateKey(der, Buffer.alloc(16), kid)).code, 'internal_error')
    assert.equal(thrown(() => openPrivateKey('AAAA', Buffer.alloc(31), kid)).code, 'internal_error')
  })
})
