import type { PolicyConfig } from '../../../policy/index.ts'
import { attributeConditionMessage, googleCondition } from './attribute-condition.ts'
import type { GcpDialectSection } from './config-schema.ts'
import { compileMembers } from './members.ts'
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
 *   issuer URL is known: the presented token is an STS token of one of the account's `members`
 *   (Tessera's own issuer, `aud` the target and `client_id` a provider policy of a bound pool,
 *   and for a `principal://` member its `sub`), minting for the account's target with its
 *   scopes. An account whose members bind no configured pool implies no policy: it is refused.
 *
 * Each policy carries its dialect, so only that dialect's own requests, naming it, may use it.
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
      dialect: 'google-sts',
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
  const serviceAccounts = (section.serviceAccounts ?? []).flatMap((account): PolicyConfig[] => {
    const binding = compileMembers(account, projectNumber, configured)
    if (binding === undefined) return []
    return [
      {
        name: serviceAccountPolicyName(account.email),
        dialect: 'google-iam-credentials',
        issuer: issuerUrl,
        audience: [...binding.audiences],
        claims: { client_id: [...binding.clients] },
        condition: { expression: binding.expression, message: membersMessage(account.email) },
        targets: [account.target],
        ...(account.scopes === undefined ? {} : { scopes: [...account.scopes] }),
      },
    ]
  })
  return [...providers, ...serviceAccounts]
}

function membersMessage(email: string): string {
  return `the presented STS token is not of a principal clouds.gcp.serviceAccounts[${JSON.stringify(email)}].members binds (roles/iam.workloadIdentityUser)`
}
