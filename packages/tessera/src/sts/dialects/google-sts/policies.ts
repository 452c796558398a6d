import type { PolicyConfig } from '../../../policy/index.ts'
import { attributeConditionMessage, googleCondition } from './attribute-condition.ts'
import type { GcpDialectSection } from './config-schema.ts'
import {
  acceptedAudiences,
  poolPrincipal,
  providerPolicyName,
  serviceAccountPolicyName,
} from './provider-name.ts'

/**
 * The trust policies a GCP section stands for, so that the engine verifies, decides, mints and
 * audits Google exchanges like every other:
 *
 * - per provider, `gcp:<pool>:<provider>` (the STS step): issuer exact, `aud` one of
 *   `allowedAudiences` or the default provider name (with or without `https:`), the attribute
 *   mapping and condition as a CEL condition, minting for the provider's `target` with `sub` =
 *   `principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/<google.subject>`;
 * - per service account, `gcp:sa:<email>` (the generateAccessToken step), only when Tessera's
 *   issuer URL is known: the presented token is one of those STS tokens (Tessera's own issuer,
 *   `aud` a provider target, `client_id` a provider policy), minting for the account's target
 *   with its scopes.
 */
export function gcpPolicies(
  section: GcpDialectSection | undefined,
  issuerUrl?: string,
): PolicyConfig[] {
  if (section === undefined) return []
  const { projectNumber } = section
  // Absent lists are empty: a section may declare only `pools` (for `cloud export`).
  const configured = section.providers ?? []
  const providers = configured.map((provider): PolicyConfig => {
    const condition = googleCondition(provider.attributeMapping, provider.attributeCondition)
    return {
      name: providerPolicyName(provider),
      issuer: provider.issuer,
      audience: acceptedAudiences(projectNumber, provider),
      // The policy part wants an identity constraint on every allow policy; a provider's is
      // its issuer (Google checks iss on every token), its audience and its condition.
      claims: { iss: provider.issuer },
      condition: { expression: condition.expression, message: attributeConditionMessage },
      targets: [provider.target],
      output: {
        subject: `${poolPrincipal(projectNumber, provider.pool)}${condition.subjectPlaceholder ?? '{sub}'}`,
      },
    }
  })
  if (issuerUrl === undefined || configured.length === 0) return providers
  const federatedAudiences = [...new Set(configured.map((p) => p.target))]
  const serviceAccounts = (section.serviceAccounts ?? []).map(
    (account): PolicyConfig => ({
      name: serviceAccountPolicyName(account.email),
      issuer: issuerUrl,
      audience: federatedAudiences,
      claims: { client_id: configured.map(providerPolicyName) },
      targets: [account.target],
      ...(account.scopes === undefined ? {} : { scopes: [...account.scopes] }),
    }),
  )
  return [...providers, ...serviceAccounts]
}
