import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { generateTestKey } from '../../test/support/token-factory.ts'
import { hasRocaFingerprint } from './roca.ts'

const settings = { seed: 42, numRuns: 300 }
const primes = [
  3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101,
  103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
].map(BigInt)
const primorial = primes.reduce((a, b) => a * b, 1n)

const toBytes = (n: bigint): Uint8Array => {
  const hex = n.toString(16)
  return Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex')
}
const modulusOf = (jwk: { n?: unknown }): Uint8Array => Buffer.from(String(jwk.n), 'base64url')

const wycheproof = JSON.parse(
  readFileSync(
    new URL('../../test/vectors/fixtures/wycheproof-subset.json', import.meta.url),
    'utf8',
  ),
) as { cases: { id: string; keys: { keys: { n?: string }[] } }[] }

describe('hasRocaFingerprint', () => {
  it('flags the Wycheproof ROCA key (wp-jwk-set-0408)', () => {
    const found = wycheproof.cases.find((c) => c.id === 'wp-jwk-set-0408')
    const jwk = found?.keys.keys[0]
    assert.ok(jwk?.n)
    assert.equal(hasRocaFingerprint(modulusOf(jwk)), true)
  })

  it('does not flag freshly generated RSA keys', () => {
    assert.equal(hasRocaFingerprint(modulusOf(generateTestKey('RS256').jwk)), false)
    for (const modulusLength of [2048, 3072]) {
      const jwk = generateKeyPairSync('rsa', { modulusLength }).publicKey.export({ format: 'jwk' })
      assert.equal(hasRocaFingerprint(modulusOf(jwk)), false, `${modulusLength} bits`)
    }
  })

  it('does not flag an empty modulus', () => {
    assert.equal(hasRocaFingerprint(new Uint8Array(0)), false)
  })

  it('flags any modulus congruent to a power of 65537 modulo every listed prime', () => {
    // ROCA primes are k·M + (65537^a mod M), so their products keep that form modulo each p | M.
    fc.assert(
      fc.property(fc.nat(1000), fc.bigInt({ min: 0n, max: 1n << 512n }), (power, k) => {
        const n = 65537n ** BigInt(power % 64) + k * primorial
        assert.equal(hasRocaFingerprint(toBytes(n)), true)
      }),
      settings,
    )
  })

  it('does not flag a modulus that leaves the subgroup modulo a single prime', () => {
    // 65537 ≡ 10 (mod 11) generates only {1, 10}. Shift 65537 by a multiple of M/11, which
    // changes nothing modulo the other primes, until it is ≡ 2 (mod 11): outside the subgroup.
    const others = primorial / 11n
    let n = 65537n
    while (n % 11n !== 2n) n += others
    for (const p of primes) if (p !== 11n) assert.equal(n % p, 65537n % p)
    assert.equal(hasRocaFingerprint(toBytes(65537n)), true)
    assert.equal(hasRocaFingerprint(toBytes(n)), false)
  })

  it('flags random moduli with negligible probability', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 256, maxLength: 256 }), (bytes) => {
        bytes[0] = (bytes[0] ?? 0) | 0x80
        bytes[255] = (bytes[255] ?? 0) | 1
        assert.equal(hasRocaFingerprint(bytes), false)
      }),
      settings,
    )
  })
})
