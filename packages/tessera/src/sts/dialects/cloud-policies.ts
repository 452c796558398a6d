import type { PolicyConfig } from '../../policy/index.ts'
import type { CloudsSection } from './clouds-section.ts'
import { entraPolicies } from './entra/policies.ts'
import { gcpPolicies } from './google-sts/policies.ts'

/**
 * Trust policies implied by the `clouds` section (Entra federated credentials, GCP providers),
 * compiled with the file's own policies so that one engine decides every exchange.
 */
export function cloudDialectPolicies(
  clouds: CloudsSection | undefined,
  /** Tessera's issuer URL: GCP service-account policies accept Tessera's own STS tokens. */
  issuerUrl: string,
): PolicyConfig[] {
  if (clouds === undefined) return []
  return [...entraPolicies(clouds.entra), ...gcpPolicies(clouds.gcp, issuerUrl)]
}
