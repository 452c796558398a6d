import assert from 'node:assert/strict'
import { type HintId, isTesseraError, type ShownValue, type TesseraError } from '@tessera/verify'

/** The public fields a rejection test pins down exactly (CONVENTIONS §4.7). */
export interface ExpectedError {
  readonly code: string
  readonly check?: string
  readonly expected: ShownValue | undefined
  readonly actual: ShownValue | undefined
  readonly hint: HintId | undefined
  readonly message?: string
}

/** Asserts `error` is a `TesseraError` whose code, expected, actual and hint are exactly `want`. */
export function assertTesseraError(error: unknown, want: ExpectedError): TesseraError {
  assert.ok(isTesseraError(error), `expected a TesseraError, got ${String(error)}`)
  const { code, check, expected, actual, hint, message } = error
  assert.deepEqual(
    {
      code,
      ...(want.check === undefined ? {} : { check }),
      expected,
      actual,
      hint,
      ...(want.message === undefined ? {} : { message }),
    },
    want,
  )
  return error
}

/** Runs `run`, expects it to throw or reject, and asserts the error as `assertTesseraError`. */
export async function rejectsWith(run: () => unknown, want: ExpectedError): Promise<TesseraError> {
  let thrown: unknown
  try {
    await run()
  } catch (error) {
    thrown = error
  }
  assert.ok(thrown !== undefined, 'expected a rejection')
  return assertTesseraError(thrown, want)
}
