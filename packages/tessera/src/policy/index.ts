/**
 * @module policy — trust policies: which presented identities may obtain which credentials.
 * Owns the `policies` and `inventory` schema sections, compilation and evaluation; imports
 * only `@tessera/verify` from the repository (and the typebox and cel-js packages).
 */

export { compilePolicies } from './compile.ts'
export type { CompiledPolicySet } from './compiled.ts'
export { evaluatePolicies } from './evaluate.ts'
export { callerExposure, policyOf } from './explanation.ts'
export { policyMaxTtl } from './max-ttl.ts'
export { reservedOutputClaims } from './reserved-claims.ts'
export { inventorySchema, policySchema } from './schema.ts'
export type {
  Inventory,
  InventoryService,
  PolicyConfig,
  PolicyContext,
  PolicyGrant,
  PolicyRequest,
  PresentedToken,
} from './types.ts'
