import type { CheckResult, Evaluation, ShownValue } from '@tessera/verify'

/** One check in `doctor --json` output. */
export interface DoctorJsonCheck {
  readonly name: string
  readonly ok: boolean
  readonly skipped?: true
  readonly code: string | null
  readonly expected: ShownValue | null
  readonly actual: ShownValue | null
  readonly hint: string | null
  readonly message: string | null
}

/** The one JSON object `doctor token --json` prints. */
export interface DoctorJson {
  readonly valid: boolean
  readonly code: string | null
  readonly hint: string | null
  readonly checks: readonly DoctorJsonCheck[]
}

/**
 * Renders an evaluation as the documented JSON object. Checks the options did not ask for are
 * left out; checks skipped because a prerequisite failed are listed with `ok: false`.
 */
export function toDoctorJson(evaluation: Evaluation): DoctorJson {
  return {
    valid: evaluation.valid,
    code: evaluation.primary?.code ?? null,
    hint: evaluation.primary?.hint ?? null,
    checks: evaluation.checks
      .filter((c) => c.reason !== 'not configured' && !c.reason?.startsWith('not run'))
      .map((c) => toDoctorJsonCheck(c)),
  }
}

/** One check of any doctor (token, SAML): its outcome, error fields and, when skipped, why. */
export interface DoctorCheckResult {
  readonly name: string
  readonly status: CheckResult['status']
  readonly error?: CheckResult['error']
  readonly reason?: string
}

/** One check as `--json` prints it; `skippedReason` is used when a skipped check gives none. */
export function toDoctorJsonCheck(c: DoctorCheckResult, skippedReason = ''): DoctorJsonCheck {
  if (c.status === 'skipped') {
    return {
      name: c.name,
      ok: false,
      skipped: true,
      code: null,
      expected: null,
      actual: null,
      hint: null,
      message: `skipped: ${c.reason ?? skippedReason}`,
    }
  }
  const e = c.error
  return {
    name: c.name,
    ok: c.status === 'ok',
    code: e?.code ?? null,
    expected: e?.expected ?? null,
    actual: e?.actual ?? null,
    hint: e?.hint ?? null,
    message: e?.message ?? null,
  }
}

/** The JSON text, one line. */
export function renderDoctorJson(evaluation: Evaluation): string {
  return JSON.stringify(toDoctorJson(evaluation))
}
