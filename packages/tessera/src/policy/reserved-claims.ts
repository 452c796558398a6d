/**
 * Claims the exchange engine and the minter decide. A policy's mapped output claims never set
 * them: a template must not widen `aud`, extend `exp`, forge `act` or `cnf`, or change who the
 * token is for (RFC 9068 §2.2, RFC 8693 §4). Refused at compile time here, and dropped again by
 * the engine when it merges claims.
 */
export const reservedOutputClaims: ReadonlySet<string> = new Set([
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
  '__proto__',
])
