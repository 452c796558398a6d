import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { fingerprint } from '../explain/redact.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkIssuer } from './issuer.ts'

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

const idp = 'https://idp.example.com'

describe('checkIssuer', () => {
  it('accepts an iss equal to a trusted issuer', () => {
    assert.equal(checkIssuer(idp, ['https://other.example.org', idp]), undefined)
  })

  it('reports a missing iss as missing_claim', () => {
    const error = checkIssuer(undefined, [idp])
    assertError(error, {
      code: 'missing_claim',
      check: 'issuer',
      expected: [idp],
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'iss is missing, expected one of ["https://idp.example.com"]')
  })

  it('reports a near miss of a trusted issuer as issuer_mismatch with the hint', () => {
    const error = checkIssuer(`${idp}/`, [idp])
    assertError(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: `${idp}/`,
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'iss "https://idp.example.com/" is not "https://idp.example.com": the values differ only by a trailing slash',
    )
  })

  it('compares exactly: a letter-case difference in the host is a mismatch', () => {
    const error = checkIssuer('https://IDP.example.com', [idp])
    assertError(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: 'https://IDP.example.com',
      hint: 'case',
    })
    assert.equal(
      error.message,
      'iss "https://IDP.example.com" is not "https://idp.example.com": the values differ only by letter case (in the host)',
    )
  })

  it('names the closest of several trusted issuers', () => {
    const error = checkIssuer('http://idp.example.com', ['https://a.example.org', idp])
    assertError(error, {
      code: 'issuer_mismatch',
      check: 'issuer',
      expected: idp,
      actual: 'http://idp.example.com',
      hint: 'scheme',
    })
    assert.equal(
      error.message,
      'iss "http://idp.example.com" is not "https://idp.example.com": the values differ only by scheme ("http" instead of "https")',
    )
  })

  it('reports an unrelated iss as issuer_unknown listing the trusted issuers', () => {
    const error = checkIssuer('https://evil.example.net', [idp, 'https://a.example.org'])
    assertError(error, {
      code: 'issuer_unknown',
      check: 'issuer',
      expected: [idp, 'https://a.example.org'],
      actual: 'https://evil.example.net',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'iss "https://evil.example.net" is not one of the trusted issuers ["https://idp.example.com", "https://a.example.org"]',
    )
  })

  it('reports a non-string iss as issuer_unknown with its JSON rendering', () => {
    const error = checkIssuer(42, [idp])
    assertError(error, {
      code: 'issuer_unknown',
      check: 'issuer',
      expected: [idp],
      actual: '42',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'iss "42" is not one of the trusted issuers ["https://idp.example.com"]',
    )
  })

  it('never shows a compact token passed as iss, only its fingerprint', () => {
    const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'
    const error = checkIssuer(token, [idp])
    const shown = `[token ${fingerprint(token)}]`
    assertError(error, {
      code: 'issuer_unknown',
      check: 'issuer',
      expected: [idp],
      actual: shown,
      hint: undefined,
    })
    assert.equal(error.message.includes(token), false)
  })
})
