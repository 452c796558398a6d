import { isTesseraError, redact, TesseraError } from '@tessera/verify'
import { policyOf } from '../policy/index.ts'
import { type AuditBase, denyRecord } from './audit-record.ts'
import type { AuditRecord, AuditSink } from './types.ts'

/** Refusals whose deny record is in the audit log (see `isAudited`). */
const auditedRefusals = new WeakSet<TesseraError>()

/**
 * Whether `error` is a refusal the engine wrote to the audit log. A transport can then log it
 * quietly (the audit log has the whole explanation) and log everything else — refused before
 * the engine, never audited — where it leaves a trace at the default level.
 */
export function isAudited(error: TesseraError): boolean {
  return auditedRefusals.has(error)
}

/**
 * Writes the record of an allowed request; the caller gets its token only after this resolves.
 * Fail closed: a token whose issuance is not in the audit log is never handed out.
 *
 * @throws {TesseraError} `internal_error` (with the sink's error as `cause`) when the sink fails
 */
export async function recordAllow(audit: AuditSink, record: AuditRecord): Promise<void> {
  try {
    await audit.append(record)
  } catch (cause) {
    throw auditFailed(cause, 'the issued token is withheld')
  }
}

/**
 * Turns whatever a request failed with into the error to throw, after writing its deny record:
 * a `TesseraError` keeps its code; anything else becomes `internal_error` with the original as
 * `cause`. The policy is the one that granted before a later step failed, or the one a policy
 * error names. If the deny record cannot be written, the answer is `internal_error` too: a
 * refusal missing from the log would hide a failing audit sink from the operator.
 */
export async function refuse(
  audit: AuditSink,
  base: AuditBase,
  thrown: unknown,
  grantedBy: string | undefined,
): Promise<TesseraError> {
  const error = isTesseraError(thrown) ? thrown : unexpected(thrown)
  const policy = grantedBy ?? policyOf(error)
  try {
    await audit.append(denyRecord(base, error, policy))
  } catch (cause) {
    return auditFailed(cause, `the request was refused with ${error.code}`)
  }
  auditedRefusals.add(error)
  return error
}

function unexpected(cause: unknown): TesseraError {
  const why = cause instanceof Error ? cause.message : String(cause)
  // The message reaches only the audit log (internal_error is opaque), redacted all the same.
  return new TesseraError({
    code: 'internal_error',
    message: `unexpected failure: ${redact(why)}`,
    cause,
  })
}

function auditFailed(cause: unknown, consequence: string): TesseraError {
  const why = cause instanceof Error ? cause.message : String(cause)
  return new TesseraError({
    code: 'internal_error',
    check: 'audit',
    message: `the audit record could not be written (${redact(why)}): ${consequence}`,
    cause,
  })
}
