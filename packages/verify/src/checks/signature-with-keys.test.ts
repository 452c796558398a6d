import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { generateTestKey, signJwt, type TestKey } from '../../test/support/token-factory.ts'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import type { VerificationKey } from '../keys/verification-key.ts'
import { decodeJws } from '../token/decode.ts'
import type { DecodedJws } from '../token/types.ts'
import { checkSignatures } from './signature-with-keys.ts'

interface Want {
  readonly code: string
  readonly check: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
}

function assertError(error: TesseraError | undefined, want: Want): asserts error is TesseraError {
  assert.ok(error instanceof TesseraError, 'expected a TesseraError')
  const { code, check, expected, actual, hint } = error
  assert.deepEqual({ code, check, expected, actual, hint }, want)
}

const asKey = (k: TestKey, withKid = true): VerificationKey => ({
  ...(withKid ? { kid: k.kid } : {}),
  kty: 'EC',
  crv: 'P-256',
  thumbprint: `thumb-${k.kid}`,
  key: k.publicKey,
})

describe('checkSignatures', () => {
  let signer: TestKey
  let other: TestKey
  let jws: DecodedJws

  before(() => {
    signer = generateTestKey('ES256', 'signer')
    other = generateTestKey('ES256', 'other')
    jws = decodeJws(signJwt(signer, { sub: 'x' }), 1 << 20)
  })

  it('accepts a signature that verifies with the one selected key', () => {
    assert.equal(checkSignatures('ES256', [asKey(signer)], jws), undefined)
  })

  it('accepts a signature that verifies with any of several candidate keys', () => {
    assert.equal(checkSignatures('ES256', [asKey(other), asKey(signer)], jws), undefined)
  })

  it('rejects a signature that does not verify with the selected key, naming the key', () => {
    const error = checkSignatures('ES256', [asKey(other)], jws)
    assertError(error, {
      code: 'bad_signature',
      check: 'signature',
      expected: 'a valid ES256 signature',
      actual: '64-byte signature that does not verify',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'ES256 signature does not verify with key "other": the token was altered or signed by a different key',
    )
  })

  it('names a key without kid by its thumbprint', () => {
    const error = checkSignatures('ES256', [asKey(other, false)], jws)
    assert.equal(
      error?.message,
      'ES256 signature does not verify with key "thumb-other": the token was altered or signed by a different key',
    )
  })

  it('counts the candidate keys when none of several verifies', () => {
    const error = checkSignatures('ES256', [asKey(other), asKey(other, false)], jws)
    assertError(error, {
      code: 'bad_signature',
      check: 'signature',
      expected: 'a valid ES256 signature',
      actual: '64-byte signature that does not verify',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'ES256 signature does not verify with any of 2 candidate keys: the token was altered or signed by a different key',
    )
  })

  it('rejects when there is no key at all', () => {
    const error = checkSignatures('ES256', [], jws)
    assert.equal(
      error?.message,
      'ES256 signature does not verify with any of 0 candidate keys: the token was altered or signed by a different key',
    )
  })

  it('never shows the signature bytes', () => {
    const error = checkSignatures('ES256', [asKey(other)], jws)
    const encoded = jws.signature.toString('base64url')
    assert.equal(JSON.stringify(error).includes(encoded), false)
  })
})
