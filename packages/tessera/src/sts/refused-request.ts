import { redact, type TesseraError } from '@tessera/verify'
import { type AuditBase, describePresented } from './audit-record.ts'
import { isAudited, refuse } from './audited.ts'
import type { EngineDeps, RefusedRequest } from './types.ts'

/**
 * Writes the deny record of a request a dialect or transport refused before the engine ran,
 * in the shape of the engine's own deny records (kind `exchange`, the full explanation, the
 * presented token's hash and unverified, redacted claims). An error already in the log is
 * passed through: it was refused inside the engine, which wrote its record.
 */
export async function refuseRequest(
  deps: EngineDeps,
  request: RefusedRequest,
  error: TesseraError,
  correlationId: string,
): Promise<TesseraError> {
  if (isAudited(error)) return error
  const token = request.subjectToken
  const base: AuditBase = {
    now: deps.clock(),
    correlationId,
    kind: 'exchange',
    dialect: request.dialect,
    // Redacted: the request was refused, possibly for this very value, which anyone can write.
    ...(request.clientId === undefined ? {} : { clientId: redact(request.clientId) }),
    ...(token === undefined || token === ''
      ? {}
      : { presented: describePresented(token, undefined) }),
  }
  return refuse(deps.audit, base, error, undefined)
}
