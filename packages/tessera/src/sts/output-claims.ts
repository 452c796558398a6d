import { reservedOutputClaims } from '../policy/index.ts'
/** The claims a mapping never sets: the policy part's list, applied again at merge time. */
export const registeredClaims: ReadonlySet<string> = reservedOutputClaims

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
