import type { HintId, ShownValue, TesseraError } from '@tessera/verify'

/** The JSON body of an error on Tessera's own endpoints (`/v1/…`, discovery, health). */
export interface ErrorBody {
  readonly code: string
  readonly check?: string
  readonly message: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  readonly correlationId: string
}

/**
 * Renders an error for a caller by its code's exposure (CONVENTIONS §4.5): `detail` shows the
 * message with expected/actual/hint, `summary` the code's summary and hint (full detail goes
 * to the log), `opaque` only the summary and the correlation id that finds the log line.
 */
export function renderErrorBody(error: TesseraError, correlationId: string): ErrorBody {
  const hint = error.hint === undefined ? {} : { hint: error.hint }
  switch (error.exposure) {
    case 'detail':
      return {
        code: error.code,
        check: error.check,
        message: error.message,
        ...(error.expected === undefined ? {} : { expected: error.expected }),
        ...(error.actual === undefined ? {} : { actual: error.actual }),
        ...hint,
        correlationId,
      }
    case 'summary':
      return {
        code: error.code,
        check: error.check,
        message: error.info.summary,
        ...hint,
        correlationId,
      }
    default:
      return { code: error.code, message: error.info.summary, correlationId }
  }
}
