import {
  type ErrorCode,
  type Exposure,
  type Hint,
  quote,
  type ShownValue,
  TesseraError,
} from '@tessera/verify'

/** Why a clause failed, before it becomes an error: the message without its policy prefix. */
export interface Explanation {
  /** Lower-case, no trailing period: the claim or parameter, actual, then expected. */
  readonly message: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: Hint
}

const policyOfError = new WeakMap<TesseraError, string>()

/**
 * The name of the policy a policy error is about — the deny policy that matched, or the closest
 * allow policy — so that a dialect can show it with the code's summary (exposure `summary`).
 * Undefined for other errors and for `no_matching_policy` raised before any policy matched the
 * issuer.
 */
export function policyOf(error: TesseraError): string | undefined {
  return policyOfError.get(error)
}

/**
 * How much of `error` a remote caller may see: its code's exposure, but at most `summary`
 * when the error is about a policy (`policyOf` names one). A clause's expected/actual and
 * message describe the policy — its subject pattern, its accepted audiences, the claims it
 * wants — and shown to any caller they would teach an attacker what to forge; the policy name,
 * the code's summary and the hint are enough for an honest caller, and the audit record keeps
 * everything. The same codes raised by token verification name no policy and keep `detail`.
 */
export function callerExposure(error: TesseraError): Exposure {
  const exposure = error.exposure
  return exposure === 'detail' && policyOfError.has(error) ? 'summary' : exposure
}

/** Appends a hint's words to a message: `message: words`. */
export function withHint(message: string, hint: Hint | undefined): string {
  return hint === undefined ? message : `${message}: ${hint.words}`
}

/**
 * Builds the error of a failed clause: `policy "name": message[: hint words]` (or the message
 * alone with `prefix: false`, for a condition author's own text), remembering the policy for
 * `policyOf`.
 */
export function policyError(
  code: ErrorCode,
  check: string,
  policy: string,
  explanation: Explanation,
  options: { readonly prefix?: boolean } = {},
): TesseraError {
  const { message, expected, actual, hint } = explanation
  const text = withHint(message, hint)
  const error = new TesseraError({
    code,
    check,
    message: options.prefix === false ? text : `policy ${quote(policy)}: ${text}`,
    ...(expected === undefined ? {} : { expected }),
    ...(actual === undefined ? {} : { actual }),
    ...(hint === undefined ? {} : { hint: hint.id }),
  })
  policyOfError.set(error, policy)
  return error
}
