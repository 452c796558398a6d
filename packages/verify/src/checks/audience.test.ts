import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkAudience } from './audience.ts'

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

const api = 'https://api.example.com'

describe('checkAudience', () => {
  it('accepts a string aud equal to an accepted identifier', () => {
    assert.equal(checkAudience({ aud: api }, ['https://other.example.com', api]), undefined)
  })

  it('accepts an aud array holding one accepted identifier among others', () => {
    assert.equal(checkAudience({ aud: ['https://x.example.com', api] }, [api]), undefined)
  })

  it('rejects an audience that differs only by a trailing slash', () => {
    const error = checkAudience({ aud: `${api}/` }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: [`${api}/`],
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'aud "https://api.example.com/" is not one of ["https://api.example.com"]: the values differ only by a trailing slash',
    )
  })

  it('compares case-sensitively and hints at a letter-case difference', () => {
    const error = checkAudience({ aud: 'https://API.example.com' }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://API.example.com'],
      hint: 'case',
    })
    assert.equal(
      error.message,
      'aud "https://API.example.com" is not one of ["https://api.example.com"]: the values differ only by letter case (in the host)',
    )
  })

  it('searches an aud array for the closest value and names it', () => {
    const error = checkAudience({ aud: ['https://unrelated.example.org', `${api}/`] }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://unrelated.example.org', `${api}/`],
      hint: 'trailing_slash',
    })
    assert.equal(
      error.message,
      'aud ["https://unrelated.example.org", "https://api.example.com/"] is not one of ["https://api.example.com"]: closest is "https://api.example.com/", the values differ only by a trailing slash',
    )
  })

  it('hints forwarded for an unrelated audience: exchange the token instead of forwarding it', () => {
    const error = checkAudience({ aud: 'https://other.example.org' }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['https://other.example.org'],
      hint: 'forwarded',
    })
    assert.equal(
      error.message,
      'aud "https://other.example.org" is not one of ["https://api.example.com"]: the token was issued for "https://other.example.org", not for this service; exchange it for this service (RFC 8693 token exchange) instead of forwarding it',
    )
  })

  it('hints forwarded for an unrelated aud array, quoting it as a list', () => {
    const error = checkAudience({ aud: ['a', 'b'] }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['a', 'b'],
      hint: 'forwarded',
    })
    assert.equal(
      error.message,
      'aud ["a", "b"] is not one of ["https://api.example.com"]: the token was issued for ["a", "b"], not for this service; exchange it for this service (RFC 8693 token exchange) instead of forwarding it',
    )
  })

  it('points at the claim where the accepted identifier appears instead of aud', () => {
    const error = checkAudience({ aud: 'client-123', azp: api }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['client-123'],
      hint: 'other_claim',
    })
    assert.equal(
      error.message,
      'aud "client-123" is not one of ["https://api.example.com"]: "https://api.example.com" appears in claim "azp", not in aud',
    )
  })

  it('prefers a near-miss hint over another claim holding the identifier', () => {
    const error = checkAudience({ aud: `${api}/`, azp: api }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: [`${api}/`],
      hint: 'trailing_slash',
    })
  })

  it('finds an accepted identifier among the space-separated scopes', () => {
    const error = checkAudience({ aud: 'x', scope: `read ${api} write` }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['x'],
      hint: 'other_claim',
    })
    assert.equal(
      error.message,
      'aud "x" is not one of ["https://api.example.com"]: "https://api.example.com" appears in claim "scope", not in aud',
    )
  })

  it('finds an accepted identifier in an array-valued claim, skipping non-strings', () => {
    const error = checkAudience({ aud: 'x', resource: [1, null, api] }, [api])
    assertError(error, {
      code: 'audience_mismatch',
      check: 'audience',
      expected: [api],
      actual: ['x'],
      hint: 'other_claim',
    })
    assert.equal(
      error.message,
      'aud "x" is not one of ["https://api.example.com"]: "https://api.example.com" appears in claim "resource", not in aud',
    )
  })

  it('ignores other claims that are neither strings nor arrays', () => {
    const error = checkAudience({ aud: 'x', client_id: 42 }, [api])
    assert.equal(error?.hint, 'forwarded')
  })

  it('reports a missing aud as missing_claim', () => {
    const error = checkAudience({ sub: 'workload' }, [api])
    assertError(error, {
      code: 'missing_claim',
      check: 'audience',
      expected: [api],
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'aud is missing, expected one of ["https://api.example.com"]')
  })

  it('reports an empty aud array as missing_claim, saying it is empty', () => {
    const error = checkAudience({ aud: [] }, [api])
    assertError(error, {
      code: 'missing_claim',
      check: 'audience',
      expected: [api],
      actual: 'empty',
      hint: undefined,
    })
    assert.equal(error.message, 'aud is empty, expected one of ["https://api.example.com"]')
  })

  it('reports a missing aud with the claim that holds the identifier instead', () => {
    const error = checkAudience({ client_id: api }, [api])
    assertError(error, {
      code: 'missing_claim',
      check: 'audience',
      expected: [api],
      actual: 'missing',
      hint: 'other_claim',
    })
    assert.equal(
      error.message,
      'aud is missing, expected one of ["https://api.example.com"]: "https://api.example.com" appears in claim "client_id", not in aud',
    )
  })
})
