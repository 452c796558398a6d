import { findClosest } from '../explain/closest.ts'
import { quote, quoteList, redactList } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import type { JwtClaims } from '../token/types.ts'

// Claims where an audience identifier commonly lands by mistake (the client, not the target).
const otherClaims = ['azp', 'client_id', 'resource', 'scope', 'sub', 'iss'] as const

/**
 * Checks that one of the token's `aud` values is one of this receiver's identifiers (RFC 7519
 * §4.1.3, exact and case-sensitive). On failure, the closest pair and its near-miss hint are
 * reported, or the claim where an accepted identifier appears instead.
 */
export function checkAudience(
  claims: JwtClaims,
  accepted: readonly string[],
): TesseraError | undefined {
  const aud = claims.aud
  if (typeof aud === 'string') {
    if (accepted.includes(aud)) return undefined
  } else if (aud !== undefined) {
    for (const a of aud) if (accepted.includes(a)) return undefined
  }
  return explainAudience(claims, accepted)
}

function explainAudience(claims: JwtClaims, accepted: readonly string[]): TesseraError {
  const auds =
    claims.aud === undefined ? [] : typeof claims.aud === 'string' ? [claims.aud] : [...claims.aud]
  const elsewhere = findInOtherClaim(claims, accepted)
  if (auds.length === 0) {
    return new TesseraError({
      code: 'missing_claim',
      check: 'audience',
      message: `aud is ${claims.aud === undefined ? 'missing' : 'empty'}, expected one of ${quoteList(accepted)}${elsewhere ? `: ${elsewhere.words}` : ''}`,
      expected: redactList(accepted),
      actual: claims.aud === undefined ? 'missing' : 'empty',
      ...(elsewhere ? { hint: 'other_claim' as const } : {}),
    })
  }
  const near = findClosest(accepted, auds)
  const shownActual = typeof claims.aud === 'string' ? quote(claims.aud) : quoteList(auds)
  const words = near?.hint?.words ?? elsewhere?.words
  const base = {
    code: 'audience_mismatch' as const,
    message: `aud ${shownActual} is not one of ${quoteList(accepted)}${
      near?.hint && auds.length > 1
        ? `: closest is ${quote(near.actual)}, ${words}`
        : words
          ? `: ${words}`
          : ''
    }`,
    expected: redactList(accepted),
    actual: redactList(auds),
  }
  if (near?.hint) return new TesseraError({ ...base, hint: near.hint.id })
  if (elsewhere) return new TesseraError({ ...base, hint: 'other_claim' })
  // No near miss: the token is a valid one for another service, so most likely it was passed
  // along a call chain. RFC 8693 §1.1: the middle service should exchange it instead.
  return new TesseraError({
    ...base,
    message: `aud ${shownActual} is not one of ${quoteList(accepted)}: the token was issued for ${shownActual}, not for this service; exchange it for this service (RFC 8693 token exchange) instead of forwarding it`,
    hint: 'forwarded',
  })
}

function findInOtherClaim(
  claims: JwtClaims,
  accepted: readonly string[],
): { words: string } | undefined {
  for (const name of otherClaims) {
    const value = claims[name]
    const values =
      typeof value === 'string'
        ? name === 'scope'
          ? value.split(' ')
          : [value]
        : Array.isArray(value)
          ? value
          : []
    const hit = values.find((v) => typeof v === 'string' && accepted.includes(v))
    if (hit !== undefined) {
      return { words: `${quote(hit)} appears in claim "${name}", not in aud` }
    }
  }
  return undefined
}
