import { type CodeInfo, codes, type ErrorCode, type Exposure } from './codes.ts'
import type { HintId } from './hint-id.ts'

/** One problem found while validating options or configuration. */
export interface Problem {
  /** Where the problem is, e.g. `issuers[1].algorithms[0]` or `/policies/0/subject`. */
  readonly path: string
  readonly message: string
}

/** A value shown as expected or actual: already redacted by `explain/redact.ts`. */
export type ShownValue = string | readonly string[]

/** The fields a `TesseraError` is built from. */
export interface TesseraErrorInit {
  readonly code: ErrorCode
  /** The check that failed; defaults to the code's check in the table. */
  readonly check?: string
  readonly message: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  readonly problems?: readonly Problem[]
  readonly cause?: unknown
}

/** The JSON shape of an error: exactly the public fields, never `cause`. */
export interface TesseraErrorJson {
  readonly code: ErrorCode
  readonly check: string
  readonly message: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  readonly problems?: readonly Problem[]
}

/**
 * The one error type of Tessera: every rejection and every refusal of bad input.
 * Narrow on `code` (a literal union); there are no subclasses.
 */
export class TesseraError extends Error {
  readonly code: ErrorCode
  readonly check: string
  declare readonly expected?: ShownValue
  declare readonly actual?: ShownValue
  declare readonly hint?: HintId
  declare readonly problems?: readonly Problem[]

  constructor(init: TesseraErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.check = init.check ?? codes[init.code].check
    if (init.expected !== undefined) this.expected = init.expected
    if (init.actual !== undefined) this.actual = init.actual
    if (init.hint !== undefined) this.hint = init.hint
    if (init.problems !== undefined) this.problems = Object.freeze([...init.problems])
  }

  override get name(): 'TesseraError' {
    return 'TesseraError'
  }

  /** What the code table says about this error's code (status, exposure, fix). */
  get info(): CodeInfo {
    return codes[this.code]
  }

  /** How much of this error a remote caller may see. */
  get exposure(): Exposure {
    return codes[this.code].exposure
  }

  /** The public fields, in a stable order; `cause` is never serialised. */
  toJSON(): TesseraErrorJson {
    return {
      code: this.code,
      check: this.check,
      message: this.message,
      ...(this.expected === undefined ? {} : { expected: this.expected }),
      ...(this.actual === undefined ? {} : { actual: this.actual }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.problems === undefined ? {} : { problems: this.problems }),
    }
  }
}

/** Returns true for a `TesseraError`, also one from another copy of the package. */
export function isTesseraError(value: unknown): value is TesseraError {
  return (
    value instanceof TesseraError ||
    (value instanceof Error &&
      value.name === 'TesseraError' &&
      typeof (value as { code?: unknown }).code === 'string')
  )
}
