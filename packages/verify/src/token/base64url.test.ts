import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  decodeBase64url,
  decodeStrictBase64url,
  encodeBase64url,
  isStrictBase64url,
} from './base64url.ts'

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const alphabetText = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 40 })
const settings = { seed: 42, numRuns: 300 }

describe('isStrictBase64url', () => {
  it('accepts the empty string and canonical encodings', () => {
    assert.equal(isStrictBase64url(''), true)
    assert.equal(isStrictBase64url('QQ'), true) // "A"
    assert.equal(isStrictBase64url('QUI'), true) // "AB"
    assert.equal(isStrictBase64url('QUJD'), true) // "ABC"
    assert.equal(isStrictBase64url('-_-_'), true)
  })

  it('rejects padding', () => {
    assert.equal(isStrictBase64url('QQ=='), false)
    assert.equal(isStrictBase64url('QUI='), false)
    assert.equal(isStrictBase64url('QUJD='), false)
  })

  it('rejects the standard-alphabet characters "+" and "/"', () => {
    assert.equal(isStrictBase64url('ab+c'), false)
    assert.equal(isStrictBase64url('ab/c'), false)
  })

  it('rejects non-zero unused bits in the last character', () => {
    // Two characters carry one byte: the last 4 bits of the second must be zero.
    assert.equal(isStrictBase64url('QR'), false)
    assert.equal(isStrictBase64url('QB'), false)
    // Three characters carry two bytes: the last 2 bits of the third must be zero.
    assert.equal(isStrictBase64url('QUJ'), false)
    assert.equal(isStrictBase64url('QUL'), false)
  })

  it('rejects a length that is 1 mod 4', () => {
    assert.equal(isStrictBase64url('A'), false)
    assert.equal(isStrictBase64url('QUJDR'), false)
  })

  it('rejects whitespace, dots and characters outside ASCII', () => {
    assert.equal(isStrictBase64url('QU JD'), false)
    assert.equal(isStrictBase64url('QUJD\n'), false)
    assert.equal(isStrictBase64url('QU.D'), false)
    assert.equal(isStrictBase64url('QUJé'), false)
    assert.equal(isStrictBase64url('QUJ\u0100'), false)
  })

  it('checks only the range between start and end', () => {
    const text = '==QUJD=='
    assert.equal(isStrictBase64url(text), false)
    assert.equal(isStrictBase64url(text, 2, 6), true)
    assert.equal(isStrictBase64url('xx.QQ.yy', 3, 5), true)
    assert.equal(isStrictBase64url('xx.QR.yy', 3, 5), false)
    assert.equal(isStrictBase64url('abc', 1, 1), true)
  })

  it('accepts exactly what Buffer encodes, for any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = encodeBase64url(bytes)
        assert.equal(isStrictBase64url(text), true)
        assert.deepEqual(new Uint8Array(decodeBase64url(text)), bytes)
      }),
      settings,
    )
  })

  it('accepts only the one canonical encoding of each byte sequence', () => {
    fc.assert(
      fc.property(alphabetText, (text) => {
        if (isStrictBase64url(text)) assert.equal(encodeBase64url(decodeBase64url(text)), text)
        else assert.notEqual(encodeBase64url(decodeBase64url(text)), text)
      }),
      settings,
    )
  })
})

describe('encodeBase64url', () => {
  it('encodes UTF-8 strings and bytes without padding', () => {
    assert.equal(encodeBase64url('A'), 'QQ')
    assert.equal(encodeBase64url('é'), 'w6k')
    assert.equal(encodeBase64url(new Uint8Array([0xfb, 0xff])), '-_8')
    assert.equal(encodeBase64url(''), '')
  })
})

describe('decodeBase64url', () => {
  it('decodes a checked segment to bytes', () => {
    assert.deepEqual(decodeBase64url('-_8'), Buffer.from([0xfb, 0xff]))
    assert.equal(decodeBase64url('eyJhIjoxfQ').toString('utf8'), '{"a":1}')
  })
})

describe('decodeStrictBase64url', () => {
  // The hot path decodes first and checks after; it must accept exactly what the character
  // scan accepts, on any input: base64url, standard base64, padding, whitespace, non-ASCII.
  const anyText = fc.oneof(
    alphabetText,
    fc.string({ unit: fc.constantFrom(...`${alphabet}+/= \n.?\u00e9`), maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
  )

  it('accepts exactly the strings isStrictBase64url accepts, and decodes them', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const decoded = decodeStrictBase64url(text)
        assert.equal(decoded !== undefined, isStrictBase64url(text), JSON.stringify(text))
        if (decoded !== undefined) assert.deepEqual(decoded, decodeBase64url(text))
      }),
      { seed: 42, numRuns: 5000 },
    )
  })

  it('rejects standard-alphabet characters, padding and skipped characters', () => {
    // 'QUJ\u0144': Node decodes U+0144 by its low byte as 'D', so this would alias 'QUJD'.
    for (const text of ['QQ==', 'Q+I', 'Q/I', 'QU?D', 'QU D', 'QR', 'QUJ', 'Q', 'QUJ\u0144']) {
      assert.equal(decodeStrictBase64url(text), undefined, text)
    }
  })
})
