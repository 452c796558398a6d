import { decodeJwt, type JwtClaims, redact, type TesseraError } from '@tessera/verify'
import { tokenSha256 } from './token-hash.ts'
import type { AuditRecord } from './types.ts'

/** What was presented, as the audit record shows it. */
export type Presented = NonNullable<AuditRecord['presented']>

/** What was issued, as the audit record shows it. */
export type Issued = NonNullable<AuditRecord['issued']>

/** The fields common to every record of one request. */
export interface AuditBase {
  /** Epoch seconds (the engine's clock); the record stores milliseconds. */
  readonly now: number
  readonly correlationId: string
  readonly kind: AuditRecord['kind']
  readonly dialect: string
  readonly clientId?: string
  readonly presented?: Presented
}

/** The record of an allowed request: the policy that allowed it and what was issued. */
export function allowRecord(
  base: AuditBase,
  policy: string | undefined,
  issued: Issued,
): AuditRecord {
  return {
    ...common(base),
    decision: 'allow',
    ...(policy === undefined ? {} : { policy }),
    issued,
  }
}

/** The record of a denied request: the full explanation, whatever the caller is shown. */
export function denyRecord(
  base: AuditBase,
  error: TesseraError,
  policy: string | undefined,
): AuditRecord {
  return {
    ...common(base),
    decision: 'deny',
    code: error.code,
    check: error.check,
    ...(error.expected === undefined ? {} : { expected: error.expected }),
    ...(error.actual === undefined ? {} : { actual: error.actual }),
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    message: error.message,
    ...(policy === undefined ? {} : { policy }),
  }
}

function common(base: AuditBase): Omit<AuditRecord, 'decision'> {
  return {
    time: base.now * 1000,
    correlationId: base.correlationId,
    kind: base.kind,
    dialect: base.dialect,
    ...(base.clientId === undefined ? {} : { clientId: base.clientId }),
    ...(base.presented === undefined ? {} : { presented: base.presented }),
  }
}

/**
 * Describes a presented token for the record: its SHA-256 always, never the token. Claims come
 * from the verified token when there is one; otherwise (a rejected token) they are read
 * without verification — they are what was *presented*, which is what an operator diagnosing
 * a denial needs — and redacted, since an attacker wrote them.
 */
export function describePresented(
  token: string,
  verified: JwtClaims | undefined,
  actor?: JwtClaims,
): Presented {
  const claims = verified ?? unverifiedClaims(token)
  const shown = (value: unknown): string | undefined =>
    typeof value !== 'string' ? undefined : verified === undefined ? redact(value) : value
  const iss = shown(claims?.iss)
  const sub = shown(claims?.sub)
  const aud = audienceOf(claims?.aud)?.map((a) => (verified === undefined ? redact(a) : a))
  const actorSub = typeof actor?.sub === 'string' ? actor.sub : undefined
  return {
    ...(iss === undefined ? {} : { iss }),
    ...(sub === undefined ? {} : { sub }),
    ...(aud === undefined ? {} : { aud }),
    tokenSha256: tokenSha256(token),
    ...(actorSub === undefined ? {} : { actorSub }),
  }
}

/** Most `aud` values kept in a record: enough to diagnose, bounded against a hostile list. */
const maxAudiences = 10

function audienceOf(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud]
  if (!Array.isArray(aud)) return undefined
  return aud.filter((a): a is string => typeof a === 'string').slice(0, maxAudiences)
}

function unverifiedClaims(token: string): JwtClaims | undefined {
  try {
    return decodeJwt(token, 16 * 1024).claims
  } catch {
    return undefined
  }
}
