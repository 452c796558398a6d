import { findClosest } from '../explain/closest.ts'
import type { ErrorCode } from '../explain/codes.ts'
import { quote, quoteList, redact, redactList } from '../explain/redact.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'
import { matchGlob } from './glob.ts'

/** A policy's answer for one request. */
export type RequestDecision =
  | { readonly allow: true }
  | { readonly allow: false; readonly error: TesseraError }

/** What a request policy sees besides the verified claims. */
export interface RequestContext {
  readonly method: string
  readonly url: string
  /** How the token was presented and bound. */
  readonly binding: 'bearer' | 'dpop' | 'mtls'
  /** The outermost `act.sub`, when the token carries a delegation chain. */
  readonly actor?: string
}

/** Decides whether a verified request may proceed; runs after every token and binding check. */
export type RequestPolicy = (
  claims: JwtClaims,
  request: RequestContext,
) => RequestDecision | Promise<RequestDecision>

const allowed: RequestDecision = Object.freeze({ allow: true as const })

/** The decision that lets a request through. */
export function allow(): RequestDecision {
  return allowed
}

/**
 * The decision that refuses a request with `reason` as the message (default code
 * `policy_denied`). Put no token values in `reason` unless they went through `quote`.
 */
export function deny(
  reason: string,
  init: {
    readonly code?: ErrorCode
    readonly expected?: ShownValue
    readonly actual?: ShownValue
  } = {},
): RequestDecision {
  return Object.freeze({
    allow: false as const,
    error: new TesseraError({
      code: init.code ?? 'policy_denied',
      message: reason,
      ...(init.expected === undefined ? {} : { expected: init.expected }),
      ...(init.actual === undefined ? {} : { actual: init.actual }),
    }),
  })
}

function invalidArguments(what: string, message: string): TesseraError {
  return new TesseraError({
    code: 'invalid_options',
    message: `${what}: ${message}`,
    problems: [{ path: what, message }],
  })
}

/** The token's scopes: the space-separated `scope` claim (RFC 8693 §4.2), else a `scp` array. */
export function scopesOf(claims: JwtClaims): string[] {
  if (typeof claims.scope === 'string') return claims.scope.split(' ').filter((s) => s !== '')
  if (Array.isArray(claims.scp)) return claims.scp.filter((s): s is string => typeof s === 'string')
  if (typeof claims.scp === 'string') return claims.scp.split(' ').filter((s) => s !== '')
  return []
}

/**
 * A policy requiring every one of `scopes` in the token's `scope` (space-separated) or `scp`.
 * Refuses with `insufficient_scope`; expected lists the missing scopes.
 * @throws {TesseraError} `invalid_options` when a scope is empty or contains a space
 */
export function requireScopes(...scopes: string[]): RequestPolicy {
  if (scopes.length === 0) throw invalidArguments('requireScopes', 'needs at least one scope')
  for (const s of scopes) {
    if (typeof s !== 'string' || s === '' || /\s/.test(s))
      throw invalidArguments('requireScopes', `${quote(s)} is not a scope (non-empty, no spaces)`)
  }
  const required = [...new Set(scopes)]
  return (claims) => {
    const granted = scopesOf(claims)
    const missing = required.filter((s) => !granted.includes(s))
    if (missing.length === 0) return allowed
    const near = findClosest(missing, granted)
    const hint =
      near?.hint !== undefined && ['case', 'whitespace'].includes(near.hint.id)
        ? near.hint
        : undefined
    return Object.freeze({
      allow: false as const,
      error: new TesseraError({
        code: 'insufficient_scope',
        message: `the token's scope ${quoteList(granted)} lacks ${quoteList(missing)}${hint ? `: closest is ${quote(near?.actual)}, ${hint.words}` : ''}`,
        expected: redactList(missing),
        actual: redactList(granted),
        ...(hint ? { hint: hint.id } : {}),
      }),
    })
  }
}

/**
 * A policy accepting only tokens whose `sub` matches one of `patterns` (exact, or glob where
 * `*` is any run of characters). Refuses with `subject_not_allowed` and the closest pattern's hint.
 * @throws {TesseraError} `invalid_options` when the list is empty or holds an empty pattern
 */
export function allowSubjects(patterns: readonly string[]): RequestPolicy {
  if (!Array.isArray(patterns) || patterns.length === 0)
    throw invalidArguments('allowSubjects', 'needs a non-empty array of subject patterns')
  for (const p of patterns) {
    if (typeof p !== 'string' || p === '')
      throw invalidArguments('allowSubjects', `${quote(p)} is not a non-empty string`)
  }
  const list = Object.freeze([...patterns])
  return (claims) => {
    const sub = claims.sub
    if (sub !== undefined && list.some((p) => matchGlob(p, sub))) return allowed
    const near = sub === undefined ? undefined : findClosest(list, [sub])
    return Object.freeze({
      allow: false as const,
      error: new TesseraError({
        code: 'subject_not_allowed',
        message: `sub ${sub === undefined ? 'is missing' : quote(sub)}${sub === undefined ? ',' : ' is'} not one of ${quoteList(list)}${near?.hint ? `: ${near.hint.words}` : ''}`,
        expected: redactList(list),
        actual: sub === undefined ? 'missing' : redact(sub),
        ...(near?.hint ? { hint: near.hint.id } : {}),
      }),
    })
  }
}
