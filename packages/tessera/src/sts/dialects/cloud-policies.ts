import type { PolicyConfig } from '../../policy/index.ts'
import type { CloudsSection } from './clouds-section.ts'
import { entraPolicies } from './entra/policies.ts'

/**
 * Trust policies implied by the `clouds` section (Entra federated credentials, GCP providers),
 * compiled with the file's own policies so that one engine decides every exchange.
 */
export function cloudDialectPolicies(clouds: CloudsSection | undefined): PolicyConfig[] {
  if (clouds === undefined) return []
  return [...entraPolicies(clouds.entra)]
}
