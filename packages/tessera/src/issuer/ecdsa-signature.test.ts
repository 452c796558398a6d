import assert from 'node:assert/strict'
import { generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { derToJose, type EcdsaPartBytes } from './ecdsa-signature.ts'

const curves = [
  { curve: 'P-256', hash: 'sha256', partBytes: 32 },
  { curve: 'P-384', hash: 'sha384', partBytes: 48 },
  { curve: 'P-521', hash: 'sha512', partBytes: 66 },
] as const

/**
 * An independent DER encoder of r‖s (the reverse direction), written out from X.690 so the
 * round trip does not check the parser against itself.
 */
function joseToDer(jose: Uint8Array, partBytes: number): Buffer {
  const integer = (bytes: Uint8Array): Buffer => {
    let i = 0
    while (i < bytes.length - 1 && bytes[i] === 0) i++
    const value = bytes.subarray(i)
    const pad = (value[0] as number) & 0x80 ? [0] : []
    return Buffer.from([0x02, value.length + pad.length, ...pad, ...value])
  }
  const body = Buffer.concat([
    integer(jose.subarray(0, partBytes)),
    integer(jose.subarray(partBytes)),
  ])
  const length = body.length < 0x80 ? [body.length] : [0x81, body.length]
  return Buffer.concat([Buffer.from([0x30, ...length]), body])
}

const hex = (text: string): Buffer => Buffer.from(text.replaceAll(' ', ''), 'hex')
const r32 = (byte: number): string => byte.toString(16).padStart(2, '0').repeat(32)

describe('derToJose', () => {
  for (const { curve, hash, partBytes } of curves) {
    describe(curve, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve }) as {
        privateKey: KeyObject
        publicKey: KeyObject
      }
      // For P-256, enough signatures that an r or s shorter than 32 bytes (1 in 256 per
      // integer) occurs; P-521's top byte holds one bit, so half of its integers are short.
      // A high bit needing a 0x00 pad (1 in 2) occurs on every curve.
      const count = { 'P-256': 1500, 'P-384': 200, 'P-521': 100 }[curve]

      it("gives back node:crypto's own ieee-p1363 signature from its DER form", () => {
        let short = 0
        for (let i = 0; i < count; i++) {
          const data = Buffer.from(`message ${i}`)
          const p1363 = sign(hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
          const der = joseToDer(p1363, partBytes)
          // The test's encoder is right: node:crypto accepts its output as DER.
          assert.equal(verify(hash, data, publicKey, der), true)
          if (p1363[0] === 0 || p1363[partBytes] === 0) short += 1
          assert.deepEqual(derToJose(der, partBytes), p1363)
        }
        if (curve !== 'P-384') assert.ok(short > 0, 'no signature had a short integer')
      })

      it('turns a bare-KeyObject DER signature into r‖s that node:crypto verifies as p1363', () => {
        for (let i = 0; i < count; i++) {
          const data = Buffer.from(`message ${i}`)
          const jose = derToJose(sign(hash, data, privateKey), partBytes)
          assert.ok(jose !== undefined)
          assert.equal(jose.length, 2 * partBytes)
          assert.equal(
            verify(hash, data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose),
            true,
          )
        }
      })
    })
  }

  it('round-trips any r and s from 1 to 2^256 - 1', () => {
    const part = fc
      .uint8Array({ minLength: 32, maxLength: 32 })
      .filter((bytes) => bytes.some((b) => b !== 0))
    fc.assert(
      fc.property(part, part, (r, s) => {
        const jose = Buffer.concat([r, s])
        assert.deepEqual(derToJose(joseToDer(jose, 32), 32), jose)
      }),
    )
  })

  it('left-pads short integers and drops the sign pad', () => {
    const der = hex(`3026 0201 05 0221 0080${'00'.repeat(31)}`)
    assert.deepEqual(derToJose(der, 32), hex(`${'00'.repeat(31)}05 80${'00'.repeat(31)}`))
    const padded = hex(`3046 0221 00${r32(0xff)} 0221 00${r32(0x80)}`)
    assert.deepEqual(derToJose(padded, 32), hex(r32(0xff) + r32(0x80)))
  })

  it('reads the long-form sequence length of a P-521 signature', () => {
    const part = `01${'ff'.repeat(65)}`
    const der = hex(`3081 88 0242 ${part} 0242 ${part}`)
    assert.deepEqual(derToJose(der, 66), hex(part + part))
  })

  const valid = `3044 0220 ${r32(0x11)} 0220 ${r32(0x22)}`
  const malformed: [string, string, EcdsaPartBytes?][] = [
    ['empty', ''],
    ['a lone tag', '30'],
    ['not a SEQUENCE', valid.replace(/^30/, '31')],
    ['an indefinite length (BER)', `3080 0220 ${r32(0x11)} 0220 ${r32(0x22)} 0000`],
    ['a long-form length where the short form fits', `308144 0220 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['a long-form length without its length byte', '3081'],
    ['a two-byte length', `30820044 0220 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['a sequence length longer than the input', `3045 0220 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['a sequence length shorter than the input', `3043 0220 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['trailing bytes after the sequence', `${valid} 00`],
    ['trailing bytes inside the sequence', `3046 0220 ${r32(0x11)} 0220 ${r32(0x22)} 0500`],
    ['r not an INTEGER', `3044 0420 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['s missing', `3022 0220 ${r32(0x11)}`],
    ['s truncated', `3044 0220 ${r32(0x11)} 0221 ${r32(0x22)}`],
    ['a third INTEGER', `3047 0220 ${r32(0x11)} 0220 ${r32(0x22)} 020101`],
    ['an empty INTEGER', `3024 0200 0220 ${r32(0x22)}`],
    ['r of zero', `3025 020100 0220 ${r32(0x22)}`],
    ['a negative r', `3044 0220 ${r32(0x80)} 0220 ${r32(0x22)}`],
    ['a non-minimal leading zero', `3045 0221 00${r32(0x11)} 0220 ${r32(0x22)}`],
    ['r longer than 32 bytes', `3045 0221 11${r32(0x11)} 0220 ${r32(0x22)}`],
    ['a long-form INTEGER length', `3045 028120 ${r32(0x11)} 0220 ${r32(0x22)}`],
    ['a P-384 signature read as P-256', `3064 0230 ${'11'.repeat(48)} 0230 ${'22'.repeat(48)}`],
    ['r‖s instead of DER', r32(0x30) + r32(0x02)],
  ]
  for (const [what, der, partBytes = 32] of malformed) {
    it(`refuses ${what}`, () => {
      assert.equal(derToJose(hex(der), partBytes), undefined)
    })
  }
})
