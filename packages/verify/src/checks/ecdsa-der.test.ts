import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { joseToDer } from './ecdsa-der.ts'

const hex = (der: Buffer | undefined): string | undefined => der?.toString('hex')

describe('joseToDer', () => {
  let p256: { privateKey: KeyObject; publicKey: KeyObject }
  let p521: { privateKey: KeyObject; publicKey: KeyObject }

  before(() => {
    p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' })
  })

  it('returns undefined for a signature of the wrong length', () => {
    assert.equal(joseToDer(new Uint8Array(63), 32), undefined)
    assert.equal(joseToDer(new Uint8Array(65), 32), undefined)
    assert.equal(joseToDer(new Uint8Array(0), 32), undefined)
  })

  it('never accepts a DER-encoded signature', () => {
    const der = sign('sha256', Buffer.from('data'), p256.privateKey)
    assert.equal(joseToDer(der, 32), undefined)
  })

  it('drops leading zero bytes for a minimal integer encoding', () => {
    assert.equal(
      hex(joseToDer(Uint8Array.of(0x00, 0x01, 0x00, 0x7f), 2)),
      '3006' + '020101' + '02017f',
    )
  })

  it('keeps one zero byte for an integer that is zero', () => {
    assert.equal(hex(joseToDer(Uint8Array.of(0, 0, 0, 0), 2)), '3006020100020100')
  })

  it('prefixes a zero byte when the high bit is set, keeping the integer positive', () => {
    assert.equal(
      hex(joseToDer(Uint8Array.of(0x00, 0x01, 0x80, 0x00), 2)),
      '3008' + '020101' + '0203008000',
    )
    assert.equal(
      hex(joseToDer(Uint8Array.of(0x00, 0xff, 0x12, 0x34), 2)),
      '3008' + '020200ff' + '02021234',
    )
  })

  it('uses the long-form length for P-521 signatures over 127 bytes of content', () => {
    const der = joseToDer(new Uint8Array(132).fill(0xff), 66)
    assert.ok(der !== undefined)
    // 2 × (tag, length, 0x00 pad, 66 bytes) = 138 = 0x8a bytes of content.
    assert.equal(hex(der.subarray(0, 6)), '30818a024300')
    assert.equal(der.length, 3 + 138)
    assert.equal(der[3 + 2 + 67], 0x02)
    assert.equal(der[3 + 2 + 67 + 1], 67)
  })

  it('uses the short-form length when the content fits in 127 bytes', () => {
    const der = joseToDer(new Uint8Array(64).fill(0x01), 32)
    assert.equal(hex(der?.subarray(0, 4)), '30440220')
  })

  it('converts real P-256 signatures into DER that node:crypto verifies', () => {
    const data = Buffer.from('signing input')
    for (let i = 0; i < 16; i++) {
      const jose = sign('sha256', data, { key: p256.privateKey, dsaEncoding: 'ieee-p1363' })
      const der = joseToDer(jose, 32)
      assert.ok(der !== undefined)
      assert.equal(verify('sha256', data, p256.publicKey, der), true)
    }
  })

  it('converts real P-521 signatures into DER that node:crypto verifies', () => {
    const data = Buffer.from('signing input')
    for (let i = 0; i < 4; i++) {
      const jose = sign('sha512', data, { key: p521.privateKey, dsaEncoding: 'ieee-p1363' })
      const der = joseToDer(jose, 66)
      assert.ok(der !== undefined)
      assert.equal(verify('sha512', data, p521.publicKey, der), true)
    }
  })
})
