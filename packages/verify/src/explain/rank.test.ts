import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { ErrorCode } from './codes.ts'
import { rankFailures } from './rank.ts'
import { TesseraError } from './tessera-error.ts'

const failure = (code: ErrorCode, check?: string): TesseraError =>
  new TesseraError({ code, message: code, ...(check === undefined ? {} : { check }) })

describe('rankFailures', () => {
  it('returns undefined when nothing failed', () => {
    assert.equal(rankFailures([]), undefined)
  })

  it('returns the first failure in check order by default', () => {
    const audience = failure('audience_mismatch')
    assert.equal(
      rankFailures([audience, failure('expired'), failure('subject_mismatch')]),
      audience,
    )
  })

  it('ranks a decode failure first wherever it is', () => {
    const malformed = failure('malformed')
    assert.equal(rankFailures([failure('audience_mismatch'), malformed]), malformed)
  })

  it('ranks a header size failure as a decode failure', () => {
    const tooLarge = failure('too_large', 'header')
    assert.equal(rankFailures([failure('unknown_key'), tooLarge]), tooLarge)
  })

  it('does not rank malformed from another check (crit) above the first failure', () => {
    const audience = failure('audience_mismatch')
    assert.equal(rankFailures([audience, failure('malformed', 'crit')]), audience)
  })

  for (const code of ['unknown_key', 'bad_signature', 'key_type_mismatch'] as const) {
    it(`ranks expired above a first ${code}: the issuer rotated since`, () => {
      const expired = failure('expired')
      assert.equal(rankFailures([failure(code), failure('audience_mismatch'), expired]), expired)
    })

    it(`keeps a first ${code} when the token has not expired`, () => {
      const key = failure(code)
      assert.equal(rankFailures([key, failure('audience_mismatch')]), key)
    })
  }

  it('does not promote expired over a first failure that is not about keys', () => {
    const issuer = failure('issuer_unknown')
    assert.equal(rankFailures([issuer, failure('expired')]), issuer)
  })
})
