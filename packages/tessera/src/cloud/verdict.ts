import type { JwsHeader, JwtClaims, TesseraError, TesseraErrorJson } from '@tessera/verify'

/** What a cloud model sees of a token: decoded (not verified) header and claims, and the time. */
export interface CloudToken {
  readonly header: JwsHeader
  readonly claims: JwtClaims
  /** Epoch seconds the cloud would evaluate the token at. */
  readonly now: number
}

/**
 * One rule of a cloud that the token breaks: the cloud's own error code and message, and
 * Tessera's explanation (the clause in `check`, expected vs actual, the near-miss hint).
 */
export interface CloudFailure {
  readonly code: string
  readonly message: string
  readonly explanation: TesseraError
}

/**
 * A cloud's answer. When rejected, the top-level code and message are the ones the cloud
 * would return (its first failing rule, in the cloud's own order); `failures` lists every
 * failing rule, that one first.
 */
export type CloudVerdict =
  | { readonly accepted: true }
  | (CloudFailure & { readonly accepted: false; readonly failures: readonly CloudFailure[] })

/** Accepted when nothing failed; otherwise rejected with the first failure as the cloud's answer. */
export function verdictOf(failures: readonly CloudFailure[]): CloudVerdict {
  const [first] = failures
  if (first === undefined) return Object.freeze({ accepted: true })
  return Object.freeze({ accepted: false, ...first, failures: Object.freeze([...failures]) })
}

/** The JSON shape of one failure, as `doctor token --json` prints it. */
export interface CloudFailureJson {
  readonly code: string
  readonly message: string
  readonly explanation: TesseraErrorJson
}

/** The JSON shape of a verdict under the `cloud` key of `doctor token --json`. */
export type CloudVerdictJson =
  | { readonly accepted: true }
  | (CloudFailureJson & {
      readonly accepted: false
      readonly failures: readonly CloudFailureJson[]
    })

function failureJson(f: CloudFailure): CloudFailureJson {
  return { code: f.code, message: f.message, explanation: f.explanation.toJSON() }
}

/** A verdict as plain JSON: the explanation keeps only the error's public fields. */
export function verdictJson(verdict: CloudVerdict): CloudVerdictJson {
  if (verdict.accepted) return { accepted: true }
  return {
    accepted: false,
    ...failureJson(verdict),
    failures: verdict.failures.map(failureJson),
  }
}
