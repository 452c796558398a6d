import { findClosest, quote } from '@tessera/verify'
import { acceptsPrefix, compileGlob } from './match/glob.ts'
import type { PolicyContext } from './types.ts'

/**
 * Configuration checks of issuers and patterns, phrased for `invalid_config` problems.
 *
 * "Can never match" is defined pragmatically, by what the values of a kind can hold:
 * - a subject pattern that is empty (no identity has an empty `sub`);
 * - a subject pattern for Tessera's own tokens that no SPIFFE ID of the trust domain can match:
 *   no value starting with `spiffe://<trustDomain>/` matches it, or (when it spells that prefix
 *   out) its path has a trailing or doubled `/`, a `.` or `..` segment, or a character outside
 *   `[A-Za-z0-9._-]`;
 * - any glob with a run of three or more `*` (it means `**`, but reads as a typo).
 * A pattern that is merely unusual (a `//` in a URL-shaped `sub`, say) is accepted: for an
 * external issuer, `sub` is any string.
 */

// Characters that would make an issuer a pattern: issuers are compared exactly (OIDC
// Discovery §4.3), and a wildcard could span "/" or "." into another tenant's issuer.
const issuerMetacharacters = /[*?[(|^$]/

/** Why `issuer` cannot be a policy's (or an actor's) issuer, or undefined when it can. */
export function issuerProblem(issuer: string, context: PolicyContext): string | undefined {
  const meta = issuerMetacharacters.exec(issuer)?.[0]
  if (meta !== undefined) {
    return `issuer ${quote(issuer)} contains ${quote(meta)}: issuers are compared exactly, and a pattern could span "/" or "."`
  }
  const known = [...context.trustedIssuers, context.issuerUrl]
  if (known.includes(issuer)) return undefined
  const hint = findClosest(known, [issuer])?.hint
  return `issuer ${quote(issuer)} is neither a trusted issuer nor Tessera's own issuer ${quote(context.issuerUrl)}${hint === undefined ? '' : `: ${hint.words}`}`
}

/** Why a glob is malformed (any kind of value), or undefined. */
export function globProblem(pattern: string): string | undefined {
  if (/\*{3}/.test(pattern)) {
    return `pattern ${quote(pattern)} has a run of three or more "*": write "*" (within one segment) or "**" (any characters)`
  }
  return undefined
}

const spiffePathCharacters = /^[A-Za-z0-9._\-/*]*$/

function spiffePatternProblem(pattern: string, trustDomain: string): string | undefined {
  const want = `spiffe://${trustDomain}/`
  if (!acceptsPrefix(compileGlob(pattern), want))
    return `cannot match a value starting with ${quote(want)}`
  // A wildcard in the scheme or trust domain: the path is not checked (pragmatic, not complete).
  if (!pattern.startsWith(want)) return undefined
  const path = pattern.slice(want.length)
  if (path === '') return 'has an empty path'
  if (path.endsWith('/')) return 'ends with "/"'
  if (path.includes('//') || path.startsWith('/')) return 'has a doubled "/"'
  if (path.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'has a "." or ".." segment'
  }
  if (!spiffePathCharacters.test(path)) return 'has a character outside [A-Za-z0-9._-] in its path'
  return undefined
}

/**
 * Why a `sub` pattern (a policy's `subject` or `actor.subject`) can never match or is malformed,
 * or undefined. `ownTrustDomain` is set when the issuer is Tessera itself, whose `sub` values
 * are SPIFFE IDs of that trust domain.
 */
export function subjectPatternProblem(
  pattern: string,
  ownTrustDomain: string | undefined,
): string | undefined {
  if (pattern === '') return 'is empty and can never match: no identity has an empty sub'
  const malformed = globProblem(pattern)
  if (malformed !== undefined) return malformed
  if (ownTrustDomain === undefined) return undefined
  const why = spiffePatternProblem(pattern, ownTrustDomain)
  return why === undefined
    ? undefined
    : `pattern ${quote(pattern)} can never match: Tessera's own tokens carry SPIFFE IDs of ${quote(ownTrustDomain)} as sub, and it ${why}`
}

/** True when a subject pattern matches every value (`**`), so it constrains nothing. */
export function matchesEverything(pattern: string): boolean {
  return /^\*+$/.test(pattern) && pattern.length >= 2
}
