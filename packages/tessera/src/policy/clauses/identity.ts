import { findClosest, quote, quoteList, redact, redactList, TesseraError } from '@tessera/verify'
import type { CompiledPolicy } from '../compiled.ts'
import type { Explanation } from '../explanation.ts'
import { policyError, withHint } from '../explanation.ts'
import { explainClaim, matchClaim } from '../match/claims.ts'
import type { Glob } from '../match/glob.ts'
import { detectGlobHint } from '../match/glob-hint.ts'
import type { PolicyRequest } from '../types.ts'
import type { Clause } from './context.ts'

/**
 * The error when no allow policy for the request's use names the presented token's issuer:
 * `no_matching_policy`, expected = those policies' issuers, with the closest one's hint.
 */
export function explainNoIssuer(
  policies: readonly CompiledPolicy[],
  request: PolicyRequest,
): TesseraError {
  const issuers = [...new Set(policies.map((p) => p.issuer))]
  const iss = request.subject.issuer
  const hint = findClosest(issuers, [iss])?.hint
  const message =
    issuers.length === 0
      ? `iss ${quote(iss)} has no allow policy: no policy allows use ${quote(request.use)}`
      : withHint(
          `iss ${quote(iss)} is not the issuer of any allow policy for use ${quote(request.use)}, expected one of ${quoteList(issuers)}`,
          hint,
        )
  return new TesseraError({
    code: 'no_matching_policy',
    check: 'issuer',
    message,
    expected: redactList(issuers),
    actual: redact(iss),
    ...(hint === undefined ? {} : { hint: hint.id }),
  })
}

/** The presented token's `aud` must be one the policy accepts (exact); any, when it sets none. */
export const audienceClause: Clause = (policy, context) => {
  const accepted = policy.audiences
  if (accepted === undefined || context.aud.some((a) => accepted.includes(a))) return undefined
  return () => {
    const raw = context.request.subject.claims.aud
    const hint = findClosest(accepted, context.aud)?.hint
    const shown = typeof raw === 'string' ? quote(raw) : quoteList(context.aud)
    return policyError('audience_mismatch', 'audience', policy.name, {
      message:
        context.aud.length === 0
          ? `aud is missing, expected one of ${quoteList(accepted)}`
          : `aud ${shown} is not one of ${quoteList(accepted)}`,
      expected: redactList(accepted),
      actual: context.aud.length === 0 ? 'missing' : redactList(context.aud),
      ...(hint === undefined ? {} : { hint }),
    })
  }
}

/**
 * Explains a value (`sub`, the actor's `sub`) that a glob did not match; `name` is how the
 * message calls it.
 */
export function explainPattern(name: string, glob: Glob, value: unknown): Explanation {
  if (typeof value !== 'string') {
    return {
      message: `${name} is missing, expected ${quote(glob.pattern)}`,
      expected: redact(glob.pattern),
      actual: 'missing',
    }
  }
  const hint = detectGlobHint(glob, value)
  return {
    message: `${name} ${quote(value)} does not match ${quote(glob.pattern)}`,
    expected: redact(glob.pattern),
    actual: redact(value),
    ...(hint === undefined ? {} : { hint }),
  }
}

/** `sub` must match the policy's subject (exact, or a glob); passes when the policy sets none. */
export const subjectClause: Clause = (policy, context) => {
  const glob = policy.subject
  if (glob === undefined) return undefined
  const sub = context.request.subject.claims.sub
  if (typeof sub === 'string' && glob.matches(sub)) return undefined
  return () =>
    policyError('subject_mismatch', 'subject', policy.name, explainPattern('sub', glob, sub))
}

/** Every claim constraint must pass; the first that does not is the one explained. */
export const claimsClause: Clause = (policy, context) => {
  const claims = context.request.subject.claims
  const failed = policy.claims.find((claim) => !matchClaim(claim, claims))
  if (failed === undefined) return undefined
  return () => policyError('claim_mismatch', 'claims', policy.name, explainClaim(failed, claims))
}
