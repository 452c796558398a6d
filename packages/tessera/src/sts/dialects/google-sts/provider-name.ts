import type { GcpDialectSection } from './config-schema.ts'

/** One configured workload identity pool provider. */
export type GcpProvider = NonNullable<GcpDialectSection['providers']>[number]

// The STS `audience` of a workload identity pool provider (Google's only accepted form).
const audiencePattern =
  /^\/\/iam\.googleapis\.com\/projects\/([0-9]+)\/locations\/global\/workloadIdentityPools\/([^/]+)\/providers\/([^/]+)$/

/** `projects/N/locations/global/workloadIdentityPools/P/providers/X`: the provider's resource name. */
export function providerResourceName(projectNumber: string, provider: GcpProvider): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${provider.pool}/providers/${provider.provider}`
}

/** The STS `audience` naming a provider: `//iam.googleapis.com/` + its resource name. */
export function providerAudience(projectNumber: string, provider: GcpProvider): string {
  return `//iam.googleapis.com/${providerResourceName(projectNumber, provider)}`
}

/**
 * The `aud` values a provider accepts: its `allowedAudiences`, or — when it lists none — its
 * resource name with or without `https:`, as Google documents for the default audience.
 */
export function acceptedAudiences(projectNumber: string, provider: GcpProvider): string[] {
  if (provider.allowedAudiences !== undefined && provider.allowedAudiences.length > 0) {
    return [...provider.allowedAudiences]
  }
  const name = providerAudience(projectNumber, provider)
  return [name, `https:${name}`]
}

/** The implied allow policy of a provider: `gcp:<pool>:<provider>`. */
export function providerPolicyName(provider: GcpProvider): string {
  return `gcp:${provider.pool}:${provider.provider}`
}

/** The implied allow policy of a service account: `gcp:sa:<email>`. */
export function serviceAccountPolicyName(email: string): string {
  return `gcp:sa:${email}`
}

/** The principal prefix of a pool: what a federated token's `sub` starts with. */
export function poolPrincipal(projectNumber: string, pool: string): string {
  return `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/subject/`
}

/** The parts of a well-formed STS audience, or undefined when it is not one. */
export function parseProviderAudience(
  audience: string,
):
  | { readonly projectNumber: string; readonly pool: string; readonly provider: string }
  | undefined {
  const match = audiencePattern.exec(audience)
  if (match === null) return undefined
  const [, projectNumber, pool, provider] = match as unknown as [string, string, string, string]
  return { projectNumber, pool, provider }
}

/** The configured provider an STS `audience` names, if any. */
export function findProvider(
  section: GcpDialectSection | undefined,
  audience: string,
): GcpProvider | undefined {
  if (section === undefined) return undefined
  return section.providers?.find((p) => providerAudience(section.projectNumber, p) === audience)
}
