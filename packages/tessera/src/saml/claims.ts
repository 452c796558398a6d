import type { ValidatedAssertion } from './types.ts'

const reserved = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'name_id_format',
  'session_index',
])

// Attribute names are the IdP's (attacker-reachable) data: assigning `__proto__` would replace
// the claims object's prototype, and `constructor`/`prototype` would shadow what code reading a
// plain object expects. No real attribute is named so; such an attribute is dropped.
const unsafeNames = new Set(['__proto__', 'constructor', 'prototype'])

/**
 * The assertion as JWT-style claims, so policies match SAML the way they match JWTs:
 * `iss` = IdP entity ID, `sub` = NameID, `aud`, `exp`, `nbf`, `iat` = AuthnInstant,
 * `jti` = assertion ID, `name_id_format`, `session_index`, and each attribute as an array of
 * strings (an attribute never overrides one of the standard claims; one named `__proto__`,
 * `constructor` or `prototype` is dropped).
 */
export function samlClaims(a: ValidatedAssertion): Record<string, unknown> {
  const claims: Record<string, unknown> = {}
  for (const [name, values] of Object.entries(a.attributes)) {
    if (!reserved.has(name) && !unsafeNames.has(name)) claims[name] = [...values]
  }
  Object.assign(claims, {
    iss: a.issuer,
    sub: a.nameId,
    aud: [...a.audiences],
    exp: a.notOnOrAfter,
    jti: a.assertionId,
  })
  if (a.notBefore !== undefined) claims.nbf = a.notBefore
  if (a.authnInstant !== undefined) claims.iat = a.authnInstant
  if (a.nameIdFormat !== undefined) claims.name_id_format = a.nameIdFormat
  if (a.sessionIndex !== undefined) claims.session_index = a.sessionIndex
  return claims
}
