import type { HintId, ShownValue, TesseraError } from '@tessera/verify'
import { callerExposure, policyOf } from '../../policy/index.ts'

/** The JSON body of an error on Tessera's own endpoints (`/v1/…`, discovery, health). */
export interface ErrorBody {
  readonly code: string
  readonly check?: string
  readonly message: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  /** The policy a `summary` error is about, when one is. */
  readonly policy?: string
  readonly correlationId: string
}

/**
 * Renders an error for a caller by its code's exposure (CONVENTIONS §4.5), at most `summary`
 * for an error about a policy (`callerExposure`): `detail` shows the message with
 * expected/actual/hint, `summary` the code's summary, hint and policy (and the author's message
 * for `condition_failed`; full detail goes to the log), `opaque` only the summary and the
 * correlation id that finds the log line.
 */
export function renderErrorBody(error: TesseraError, correlationId: string): ErrorBody {
  const hint = error.hint === undefined ? {} : { hint: error.hint }
  switch (callerExposure(error)) {
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
    case 'summary': {
      const policy = policyOf(error)
      return {
        code: error.code,
        check: error.check,
        // A condition's message is the policy author's own text, written for the caller.
        message:
          error.code === 'condition_failed'
            ? `${error.info.summary}: ${error.message}`
            : error.info.summary,
        ...hint,
        ...(policy === undefined ? {} : { policy }),
        correlationId,
      }
    }
    default:
      return { code: error.code, message: error.info.summary, correlationId }
  }
}
