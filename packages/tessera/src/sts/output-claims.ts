/**
 * Claims whose meaning the engine or the minter decides. A policy's mapped output claims never
 * set them: a template must not be able to widen `aud`, extend `exp`, forge `act` or `cnf`,
 * or change who the token is for (RFC 9068 §2.2, RFC 8693 §4).
 */
export const registeredClaims: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'client_id',
  'scope',
  'act',
  'may_act',
  'cnf',
  'auth_time',
  'acr',
  'amr',
])

/**
 * Merges a policy's mapped claims under the engine's registered ones: mapped claims come first
 * and any mapped claim with a registered name is dropped, so `fixed` always wins. Keys of
 * `fixed` whose value is undefined are left out.
 */
export function outputClaims(
  mapped: Readonly<Record<string, unknown>>,
  fixed: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const claims: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(mapped)) {
    if (!registeredClaims.has(name) && value !== undefined) claims[name] = value
  }
  for (const [name, value] of Object.entries(fixed)) {
    if (value !== undefined) claims[name] = value
  }
  return claims
}
