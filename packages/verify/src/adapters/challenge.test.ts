import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '../explain/tessera-error.ts'
import { createChallengeRenderer, quotedString } from './challenge.ts'
import { rejectionOf } from './rejection.ts'

const rejected = (
  code: 'expired' | 'missing_credentials' | 'jwks_unavailable' | 'use_dpop_nonce',
) => rejectionOf(new TesseraError({ code, message: 'm' }))

describe('quotedString', () => {
  it('escapes quotes and backslashes and replaces what is not printable ASCII', () => {
    assert.equal(quotedString('plain'), '"plain"')
    assert.equal(quotedString('a"b\\c'), '"a\\"b\\\\c"')
    assert.equal(quotedString('line\r\nnext é'), '"line??next ?"')
  })
})

describe('createChallengeRenderer', () => {
  it('renders a Bearer challenge with error and description (RFC 6750 §3)', () => {
    const r = createChallengeRenderer({ dpopAlgorithms: [] })
    assert.equal(
      r.render(rejected('expired'), false),
      'Bearer error="invalid_token", error_description="expired: the token expired (exp is in the past beyond the leeway)"',
    )
    assert.equal(r.render(rejected('missing_credentials'), false), 'Bearer')
    // Cached values are the same string.
    assert.equal(r.render(rejected('expired'), false), r.render(rejected('expired'), false))
  })

  it('offers both challenges when DPoP is accepted (RFC 9449 §7.1)', () => {
    const r = createChallengeRenderer({ dpopAlgorithms: ['ES256', 'PS256'], realm: 'api' })
    assert.equal(
      r.render(rejected('missing_credentials'), false),
      'Bearer realm="api", DPoP realm="api", algs="ES256 PS256"',
    )
    assert.match(
      String(r.render(rejected('expired'), false)),
      /^Bearer realm="api", error="invalid_token", error_description="expired: [^"]*", DPoP realm="api", algs="ES256 PS256"$/,
    )
    assert.match(
      String(r.render(rejected('expired'), true)),
      /^Bearer realm="api", DPoP realm="api", error="invalid_token", error_description="expired: [^"]*", algs="ES256 PS256"$/,
    )
    assert.match(
      String(r.render(rejected('use_dpop_nonce'), false)),
      /DPoP realm="api", error="use_dpop_nonce"/,
    )
  })

  it('sends no challenge with a 5xx answer', () => {
    const r = createChallengeRenderer({ dpopAlgorithms: [] })
    assert.equal(r.render(rejected('jwks_unavailable'), false), undefined)
  })
})
