import { type Problem, quote } from '@tessera/verify'
import {
  type AwsRoleConfig,
  type AzureIdentityConfig,
  awsDefaultAudience,
  azureTokenExchangeAudience,
  type GcpPoolConfig,
  gcpPoolAudience,
} from './desired-state.ts'
import { isGlob } from './workloads.ts'

/** What the cross-check reads besides the `clouds` section. */
export interface CloudCheckContext {
  readonly inventory: { readonly services: readonly { readonly audiences: readonly string[] }[] }
  readonly trustDomain: string
  readonly issuerUrl: string
}

/** Google limits `google.subject` to this many bytes. */
const maxGoogleSubjectBytes = 127

/**
 * Cross-checks `clouds.aws.roles`, `clouds.gcp.pools` and `clouds.azure.identities` with the
 * rest of the configuration at load: each audience they expect is an inventory audience
 * (Tessera mints no other), each workload is a SPIFFE ID (or glob) in the trust domain, names
 * are unique, AWS roles need an https issuer, an exact GCP subject fits google.subject.
 */
export function checkCloudExport(
  clouds: {
    readonly aws?: { readonly roles?: readonly AwsRoleConfig[] }
    readonly gcp?: { readonly projectNumber: string; readonly pools?: readonly GcpPoolConfig[] }
    readonly azure?: { readonly identities: readonly AzureIdentityConfig[] }
  },
  context: CloudCheckContext,
): Problem[] {
  const problems: Problem[] = []
  const audiences = new Set(context.inventory.services.flatMap((s) => s.audiences))
  const prefix = `spiffe://${context.trustDomain}/`
  const audience = (path: string, aud: string, what: string) => {
    if (!audiences.has(aud))
      problems.push({
        path,
        message: `${what} ${quote(aud)} is no inventory audience, so Tessera would not mint tokens for it: add it to a service's audiences`,
      })
  }
  const workloads = (path: string, list: readonly string[]) =>
    list.forEach((w, i) => {
      if (!w.startsWith(prefix) || w.length === prefix.length)
        problems.push({
          path: `${path}/workloads/${i}`,
          message: `${quote(w)} is not a SPIFFE ID in the trust domain (it must start with ${quote(prefix)} and name a path)`,
        })
    })
  const unique = (path: string, names: readonly string[], what: string) =>
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i)
        problems.push({ path: `${path}/${i}`, message: `${what} ${quote(n)} is declared twice` })
    })

  const roles = clouds.aws?.roles ?? []
  if (roles.length > 0 && !context.issuerUrl.startsWith('https://'))
    problems.push({
      path: '/clouds/aws/roles',
      message: `AWS IAM accepts only https OIDC provider URLs; server.publicUrl is ${quote(context.issuerUrl)}`,
    })
  unique(
    '/clouds/aws/roles',
    roles.map((r) => r.name),
    'role',
  )
  roles.forEach((role, i) => {
    const path = `/clouds/aws/roles/${i}`
    audience(
      role.audience === undefined ? path : `${path}/audience`,
      role.audience ?? awsDefaultAudience,
      'the audience',
    )
    workloads(path, role.workloads)
  })

  const pools = clouds.gcp?.pools ?? []
  unique(
    '/clouds/gcp/pools',
    pools.map((p) => `${p.pool}/${p.provider}`),
    'pool provider',
  )
  pools.forEach((pool, i) => {
    const path = `/clouds/gcp/pools/${i}`
    const aud = gcpPoolAudience(clouds.gcp?.projectNumber ?? '', pool)
    audience(pool.audience === undefined ? path : `${path}/audience`, aud, 'the audience')
    workloads(path, pool.workloads)
    pool.workloads.forEach((w, j) => {
      if (!isGlob(w) && Buffer.byteLength(w) > maxGoogleSubjectBytes)
        problems.push({
          path: `${path}/workloads/${j}`,
          message: `${quote(w)} is ${Buffer.byteLength(w)} bytes; google.subject holds at most ${maxGoogleSubjectBytes}`,
        })
    })
  })

  const identities = clouds.azure?.identities ?? []
  unique(
    '/clouds/azure/identities',
    identities.map((d) => d.name),
    'identity',
  )
  if (identities.length > 0) audience('/clouds/azure', azureTokenExchangeAudience, 'the audience')
  identities.forEach((identity, i) => {
    workloads(`/clouds/azure/identities/${i}`, identity.workloads)
  })
  return problems
}
