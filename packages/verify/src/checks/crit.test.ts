import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { HintId } from '../explain/hint-id.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import type { JwsHeader } from '../token/types.ts'
import { checkCrit } from './crit.ts'

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

const header = (extra: Record<string, unknown>): JwsHeader => ({ alg: 'ES256', ...extra })

describe('checkCrit', () => {
  it('accepts a header without crit or b64', () => {
    assert.equal(checkCrit(header({ kid: 'k' })), undefined)
  })

  it('rejects any extension listed in crit, since none is implemented', () => {
    const error = checkCrit(header({ crit: ['exp'], exp: 1 }))
    assertError(error, {
      code: 'crit_unsupported',
      check: 'crit',
      expected: [],
      actual: ['exp'],
      hint: undefined,
    })
    assert.equal(
      error.message,
      'header crit ["exp"] names extensions this verifier does not implement',
    )
  })

  it('lists every critical extension', () => {
    const error = checkCrit(header({ crit: ['b64', 'urn:example:ext'] }))
    assertError(error, {
      code: 'crit_unsupported',
      check: 'crit',
      expected: [],
      actual: ['b64', 'urn:example:ext'],
      hint: undefined,
    })
    assert.equal(
      error.message,
      'header crit ["b64", "urn:example:ext"] names extensions this verifier does not implement',
    )
  })

  it('rejects a b64 header parameter even without crit (RFC 7797)', () => {
    const error = checkCrit(header({ b64: false }))
    assertError(error, {
      code: 'crit_unsupported',
      check: 'crit',
      expected: [],
      actual: ['b64'],
      hint: undefined,
    })
    assert.equal(
      error.message,
      'header crit ["b64"] names extensions this verifier does not implement',
    )
  })

  it('rejects an empty crit array as malformed', () => {
    const error = checkCrit(header({ crit: [] }))
    assertError(error, {
      code: 'malformed',
      check: 'crit',
      expected: 'a non-empty array of strings',
      actual: 'array',
      hint: undefined,
    })
    assert.equal(
      error.message,
      'header crit is not a non-empty array of strings (RFC 7515 §4.1.11)',
    )
  })

  it('rejects a crit that is not an array as malformed', () => {
    const error = checkCrit(header({ crit: 'exp' }))
    assertError(error, {
      code: 'malformed',
      check: 'crit',
      expected: 'a non-empty array of strings',
      actual: 'string',
      hint: undefined,
    })
  })

  it('rejects a crit array holding a non-string as malformed', () => {
    const error = checkCrit(header({ crit: ['exp', 7] }))
    assertError(error, {
      code: 'malformed',
      check: 'crit',
      expected: 'a non-empty array of strings',
      actual: 'array',
      hint: undefined,
    })
  })

  it('rejects a null crit as malformed', () => {
    const error = checkCrit(header({ crit: null }))
    assertError(error, {
      code: 'malformed',
      check: 'crit',
      expected: 'a non-empty array of strings',
      actual: 'object',
      hint: undefined,
    })
  })
})
