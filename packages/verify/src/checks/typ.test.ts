import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { checkTyp, normaliseTyp } from './typ.ts'

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

describe('normaliseTyp', () => {
  it('lower-cases and drops the application/ prefix (RFC 7515 §4.1.9)', () => {
    assert.equal(normaliseTyp('application/AT+JWT'), 'at+jwt')
    assert.equal(normaliseTyp('JWT'), 'jwt')
    assert.equal(normaliseTyp('text/jwt'), 'text/jwt')
  })
})

describe('checkTyp without a required typ', () => {
  it('accepts an absent typ, JWT and at+jwt', () => {
    assert.equal(checkTyp(undefined, undefined), undefined)
    assert.equal(checkTyp('JWT', undefined), undefined)
    assert.equal(checkTyp('at+jwt', undefined), undefined)
  })

  it('rejects a typ that marks another kind of JWT', () => {
    const error = checkTyp('dpop+jwt', undefined)
    assertError(error, {
      code: 'typ_mismatch',
      check: 'typ',
      expected: 'JWT or at+jwt or absent',
      actual: 'dpop+jwt',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'typ "dpop+jwt" marks another kind of JWT, which is never accepted as a token here',
    )
  })

  it('recognises another kind of JWT in any case and with the application/ prefix', () => {
    for (const typ of ['application/logout+jwt', 'SECEVENT+JWT', 'kb+jwt', 'vc+sd-jwt']) {
      assert.equal(checkTyp(typ, undefined)?.code, 'typ_mismatch', typ)
    }
    assert.equal(checkTyp('token-introspection+jwt', undefined)?.actual, 'token-introspection+jwt')
  })
})

describe('checkTyp with a required typ', () => {
  it('accepts the required typ compared case-insensitively, with or without application/', () => {
    assert.equal(checkTyp('at+jwt', 'at+jwt'), undefined)
    assert.equal(checkTyp('AT+JWT', 'at+jwt'), undefined)
    assert.equal(checkTyp('application/at+jwt', 'at+jwt'), undefined)
    assert.equal(checkTyp('at+jwt', 'application/at+JWT'), undefined)
  })

  it('rejects a missing typ', () => {
    const error = checkTyp(undefined, 'at+jwt')
    assertError(error, {
      code: 'typ_mismatch',
      check: 'typ',
      expected: 'at+jwt',
      actual: 'missing',
      hint: undefined,
    })
    assert.equal(error.message, 'typ is missing, expected "at+jwt"')
  })

  it('rejects another typ without a hint', () => {
    const error = checkTyp('JWT', 'at+jwt')
    assertError(error, {
      code: 'typ_mismatch',
      check: 'typ',
      expected: 'at+jwt',
      actual: 'JWT',
      hint: undefined,
    })
    assert.equal(error.message, 'typ "JWT" is not "at+jwt"')
  })

  it('rejects a typ that differs by whitespace, with the hint', () => {
    const error = checkTyp('at+jwt ', 'at+jwt')
    assertError(error, {
      code: 'typ_mismatch',
      check: 'typ',
      expected: 'at+jwt',
      actual: 'at+jwt ',
      hint: 'whitespace',
    })
    assert.equal(
      error.message,
      'typ "at+jwt " is not "at+jwt": the values differ only by whitespace (the token\'s value has a trailing space)',
    )
  })
})
