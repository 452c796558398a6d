/**
 * Reads the claim `name` from a token's claims. A name is first looked up as a whole key;
 * when absent and it contains dots, as a path through nested objects where each step takes
 * the longest dotted key present — so `kubernetes.io.namespace` finds
 * `{ "kubernetes.io": { "namespace": … } }`. Own properties only: a token cannot reach
 * `__proto__` or inherited members. Undefined when there is no such claim.
 */
export function readClaim(claims: Readonly<Record<string, unknown>>, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name]
  if (!name.includes('.')) return undefined
  const segments = name.split('.')
  let value: unknown = claims
  let at = 0
  // No backtracking once a key is taken: the token chooses the nesting, so trying every split
  // would let it make this walk exponential in the number of dots.
  while (at < segments.length) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined
    const record = value as Readonly<Record<string, unknown>>
    let take = segments.length - at
    while (take > 0 && !Object.hasOwn(record, segments.slice(at, at + take).join('.'))) take--
    if (take === 0) return undefined
    value = record[segments.slice(at, at + take).join('.')]
    at += take
  }
  return value
}
