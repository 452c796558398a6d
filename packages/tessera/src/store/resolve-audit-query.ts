import { quote, redact, TesseraError } from '@tessera/verify'
import type { AuditQuery } from '../sts/index.ts'
import { decodeAuditCursor } from './audit-cursor.ts'

/** Page size when the query names none. */
export const defaultAuditLimit = 50
/** Largest page a query may ask for; bounds the work of one request. */
export const maxAuditLimit = 500

/** An `AuditQuery` checked and defaulted: the cursor decoded to the id records must be below. */
export interface ResolvedAuditQuery {
  readonly decision?: 'allow' | 'deny'
  readonly kind?: 'exchange' | 'identity'
  readonly code?: string
  readonly policy?: string
  readonly correlationId?: string
  readonly since?: number
  readonly limit: number
  /** Only records with an id below this one (absent: from the newest). */
  readonly beforeId?: number
}

/**
 * Checks an audit query the same way for every store, so that memory and SQLite refuse the
 * same inputs with the same error.
 *
 * @throws {TesseraError} `invalid_request` for a limit outside 1–500, a cursor this store did
 * not make, an unknown decision or kind, or a `since` that is not a finite number.
 */
export function resolveAuditQuery(query: AuditQuery): ResolvedAuditQuery {
  const limit = query.limit ?? defaultAuditLimit
  if (!Number.isInteger(limit) || limit < 1 || limit > maxAuditLimit) {
    throw invalid(
      `limit ${quote(String(limit))} is not an integer from 1 to ${maxAuditLimit}`,
      `an integer from 1 to ${maxAuditLimit}`,
      String(limit),
    )
  }
  let beforeId: number | undefined
  if (query.before !== undefined) {
    beforeId = decodeAuditCursor(query.before)
    if (beforeId === undefined) {
      throw invalid(
        `before ${quote(query.before)} is not a cursor returned by a previous page`,
        'the next value of a previous page',
        redact(query.before),
      )
    }
  }
  if (query.decision !== undefined && query.decision !== 'allow' && query.decision !== 'deny') {
    throw invalid(
      `decision ${quote(query.decision)} is neither allow nor deny`,
      ['allow', 'deny'],
      redact(query.decision),
    )
  }
  if (query.kind !== undefined && query.kind !== 'exchange' && query.kind !== 'identity') {
    throw invalid(
      `kind ${quote(query.kind)} is neither exchange nor identity`,
      ['exchange', 'identity'],
      redact(query.kind),
    )
  }
  if (query.since !== undefined && !Number.isFinite(query.since)) {
    throw invalid(
      `since ${quote(String(query.since))} is not a time in epoch milliseconds`,
      'epoch milliseconds',
      String(query.since),
    )
  }
  return {
    ...(query.decision === undefined ? {} : { decision: query.decision }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.code === undefined ? {} : { code: query.code }),
    ...(query.policy === undefined ? {} : { policy: query.policy }),
    ...(query.correlationId === undefined ? {} : { correlationId: query.correlationId }),
    ...(query.since === undefined ? {} : { since: query.since }),
    limit,
    ...(beforeId === undefined ? {} : { beforeId }),
  }
}

function invalid(message: string, expected: string | string[], actual: string): TesseraError {
  return new TesseraError({ code: 'invalid_request', message, expected, actual })
}
