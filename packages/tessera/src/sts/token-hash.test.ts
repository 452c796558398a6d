import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { tokenSha256 } from './token-hash.ts'

describe('tokenSha256', () => {
  it('is the lower-case hex SHA-256 of the UTF-8 token', () => {
    // FIPS 180-2 test vector: SHA-256("abc").
    assert.equal(
      tokenSha256('abc'),
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })

  it('hashes the UTF-8 encoding of a string that is not ASCII', () => {
    const text = 'é.ü.\u{1f511}'
    assert.equal(
      tokenSha256(text),
      createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex'),
    )
  })
})
