import {
  detectHint,
  findClosest,
  type HintId,
  type ShownValue,
  TesseraError,
  type TesseraErrorJson,
} from '@tessera/verify'

/** The codes `doctor cloud` reports. */
export type DriftCode =
  | 'drift_mismatch'
  | 'drift_missing'
  | 'drift_extra'
  | 'stale_jwks'
  | 'stale_thumbprint'

/** One difference between a cloud's live configuration and what `cloud export` generates. */
export interface DriftFinding {
  readonly code: DriftCode
  readonly cloud: 'aws' | 'gcp' | 'azure'
  /** The resource: the provider URL or name, `role/<name>`, `<identity>/<credential>`. */
  readonly resource: string
  /** The field inside the resource, as the CLI prints it (`ClientIDList`, `oidc.issuerUri`). */
  readonly path: string
  /** The live file the value was read from (for SARIF locations). */
  readonly source: string
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId
  readonly message: string
}

/** A finding with the near-miss hint of `expected` vs `actual` (when both are one string). */
export function finding(fields: DriftFinding): DriftFinding {
  const { expected, actual } = fields
  if (fields.hint !== undefined) return Object.freeze({ ...fields })
  let hint: HintId | undefined
  if (typeof expected === 'string' && typeof actual === 'string')
    hint = detectHint(expected, actual)?.id
  else if (Array.isArray(expected) && Array.isArray(actual))
    hint = findClosest(expected as string[], actual as string[])?.hint?.id
  const words = hint === undefined ? '' : `: ${describeHint(expected, actual)}`
  return Object.freeze({
    ...fields,
    message: `${fields.message}${words}`,
    ...(hint === undefined ? {} : { hint }),
  })
}

function describeHint(expected: ShownValue | undefined, actual: ShownValue | undefined): string {
  if (typeof expected === 'string' && typeof actual === 'string')
    return detectHint(expected, actual)?.words ?? ''
  return findClosest(expected as string[], actual as string[])?.hint?.words ?? ''
}

/** The finding as a `TesseraError`, so it prints and serialises like every other explanation. */
export function findingError(f: DriftFinding): TesseraError {
  return new TesseraError({
    code: f.code,
    check: `cloud_drift.${f.cloud}.${f.resource}.${f.path}`,
    message: f.message,
    ...(f.expected === undefined ? {} : { expected: f.expected }),
    ...(f.actual === undefined ? {} : { actual: f.actual }),
    ...(f.hint === undefined ? {} : { hint: f.hint }),
  })
}

/** The JSON of a finding under `findings` in `doctor cloud --json`. */
export function findingJson(f: DriftFinding): TesseraErrorJson & {
  readonly cloud: string
  readonly resource: string
  readonly path: string
  readonly source: string
} {
  return {
    ...findingError(f).toJSON(),
    cloud: f.cloud,
    resource: f.resource,
    path: f.path,
    source: f.source,
  }
}
