import { TesseraError } from '@tessera/verify'
import { celString, globPattern, isGlob, sortedUnique } from './workloads.ts'

/** `clouds.aws.roles[]` as written in `tessera.yaml`. */
export interface AwsRoleConfig {
  readonly name: string
  readonly workloads: readonly string[]
  readonly audience?: string
  readonly maxSessionDurationSeconds?: number
}

/** `clouds.gcp.pools[]` as written in `tessera.yaml`. */
export interface GcpPoolConfig {
  readonly pool: string
  readonly provider: string
  readonly workloads: readonly string[]
  readonly audience?: string
  readonly serviceAccount?: string
}

/** `clouds.azure.identities[]` as written in `tessera.yaml`. */
export interface AzureIdentityConfig {
  readonly name: string
  readonly clientId: string
  readonly tenantId: string
  readonly resourceGroup?: string
  readonly workloads: readonly string[]
}

/** What the export reads of a compiled configuration (`CompiledConfig` fits). */
export interface CloudExportConfig {
  readonly issuer: { readonly issuerUrl: string }
  readonly clouds: {
    readonly aws?: { readonly accountId: string; readonly roles?: readonly AwsRoleConfig[] }
    readonly gcp?: { readonly projectNumber: string; readonly pools?: readonly GcpPoolConfig[] }
    readonly azure?: { readonly identities: readonly AzureIdentityConfig[] }
  }
}

/** A JWK Set of public keys, the active signing key first (as the issuer publishes it). */
export interface PublicJwks {
  readonly keys: readonly Readonly<Record<string, unknown>>[]
}

/** An IAM policy document, as JSON. */
export interface AwsPolicyDocument {
  readonly Version: '2012-10-17'
  readonly Statement: readonly Readonly<Record<string, unknown>>[]
}

/** One IAM role trusting Tessera. */
export interface DesiredAwsRole {
  readonly name: string
  readonly audience: string
  readonly workloads: readonly string[]
  readonly maxSessionDurationSeconds?: number
  readonly trustPolicy: AwsPolicyDocument
}

/** One workload identity pool provider trusting Tessera. */
export interface DesiredGcpProvider {
  /** `projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
  readonly name: string
  readonly projectNumber: string
  readonly pool: string
  readonly provider: string
  readonly issuerUri: string
  readonly allowedAudiences: readonly string[]
  readonly attributeMapping: Readonly<Record<string, string>>
  readonly attributeCondition: string
  readonly workloads: readonly string[]
  /** The JWKS to upload, when Google cannot fetch it from the issuer. */
  readonly jwksJson?: string
}

/** One `roles/iam.workloadIdentityUser` binding on a service account. */
export interface DesiredGcpBinding {
  readonly serviceAccount: string
  readonly member: string
  readonly role: 'roles/iam.workloadIdentityUser'
}

/** One Azure federated identity credential. */
export interface DesiredFederatedCredential {
  readonly identity: string
  readonly clientId: string
  readonly tenantId: string
  readonly resourceGroup?: string
  readonly name: string
  readonly issuer: string
  readonly subject: string
  readonly audiences: readonly ['api://AzureADTokenExchange']
}

/** What the clouds must hold so that the tokens Tessera mints are accepted. */
export interface DesiredCloudState {
  /** Tessera's issuer URL, exactly. */
  readonly issuer: string
  /** The JWKS Tessera serves now, when it was given (GCP uploads, stale-JWKS checks). */
  readonly jwks?: PublicJwks
  readonly aws?: {
    readonly accountId: string
    readonly providerArn: string
    readonly provider: {
      /** The issuer without `https://`, as IAM stores it and as condition keys start. */
      readonly url: string
      readonly clientIds: readonly string[]
      readonly thumbprints: readonly string[]
    }
    readonly roles: readonly DesiredAwsRole[]
  }
  readonly gcp?: {
    readonly providers: readonly DesiredGcpProvider[]
    readonly bindings: readonly DesiredGcpBinding[]
  }
  readonly azure?: { readonly credentials: readonly DesiredFederatedCredential[] }
}

/** What `desiredCloudState` needs besides the configuration. */
export interface DesiredStateOptions {
  /** Tessera's current JWKS (the key store's published keys), active key first. */
  readonly jwks?: PublicJwks
  /** SHA-1 thumbprints of the served TLS chain (`tlsThumbprints`), for AWS. */
  readonly tlsThumbprints?: readonly string[]
}

/** The audience Entra expects in federated credentials. */
export const azureTokenExchangeAudience = 'api://AzureADTokenExchange'
/** The audience AWS roles accept by default. */
export const awsDefaultAudience = 'sts.amazonaws.com'

/** `projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
export function gcpProviderName(projectNumber: string, pool: string, provider: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${pool}/providers/${provider}`
}

/** The aud Tessera mints for a pool: the configured one, or the provider's default audience. */
export function gcpPoolAudience(projectNumber: string, pool: GcpPoolConfig): string {
  return (
    pool.audience ??
    `//iam.googleapis.com/${gcpProviderName(projectNumber, pool.pool, pool.provider)}`
  )
}

/**
 * True when Google cannot fetch the issuer's JWKS itself: an http issuer, or a host that is
 * loopback, link-local, private (RFC 1918, RFC 4193) or `.local`/`localhost`.
 */
export function isPubliclyUnreachable(issuer: string): boolean {
  const url = new URL(issuer)
  if (url.protocol !== 'https:') return true
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host === '::1' ||
    /^(127|10)\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^169\.254\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^f[cd][0-9a-f]{2}:/.test(host) ||
    /^fe80:/.test(host)
  )
}

/**
 * A short, Entra-valid credential name for a workload: `tessera-` and the SPIFFE path with
 * every other character turned into `-` (letters, digits, `-`, `_`; at most 120).
 */
export function federatedCredentialName(workload: string): string {
  const path = workload.replace(/^spiffe:\/\/[^/]*\/?/, '')
  const slug = path
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '')
  return `tessera-${slug === '' ? 'root' : slug}`.slice(0, 120).replace(/-$/, '')
}

/**
 * What the clouds must hold, computed from the configuration's `clouds.aws.roles`,
 * `clouds.gcp.pools` and `clouds.azure.identities`, the issuer URL, and (given by the caller)
 * the current JWKS and TLS thumbprints. Lists are sorted so the same configuration always
 * gives the same state. A cloud without entries is absent.
 * @throws {TesseraError} `invalid_config` for AWS roles with an issuer that is not https
 * (IAM refuses such a provider URL), or GCP pools on an unreachable issuer without a JWKS
 */
export function desiredCloudState(
  config: CloudExportConfig,
  options: DesiredStateOptions = {},
): DesiredCloudState {
  const issuer = config.issuer.issuerUrl
  const { aws, gcp, azure } = config.clouds
  const roles = aws?.roles ?? []
  const pools = gcp?.pools ?? []
  const identities = azure?.identities ?? []
  return Object.freeze({
    issuer,
    ...(options.jwks === undefined ? {} : { jwks: options.jwks }),
    ...(aws !== undefined && roles.length > 0
      ? { aws: awsState(issuer, aws.accountId, roles, options.tlsThumbprints ?? []) }
      : {}),
    ...(gcp !== undefined && pools.length > 0
      ? { gcp: gcpState(issuer, gcp.projectNumber, pools, options.jwks) }
      : {}),
    ...(identities.length > 0 ? { azure: azureState(issuer, identities) } : {}),
  })
}

function refuse(message: string, path: string): never {
  throw new TesseraError({ code: 'invalid_config', message, problems: [{ path, message }] })
}

function awsState(
  issuer: string,
  accountId: string,
  roles: readonly AwsRoleConfig[],
  thumbprints: readonly string[],
): NonNullable<DesiredCloudState['aws']> {
  if (!issuer.startsWith('https://'))
    refuse(
      `AWS IAM accepts only https OIDC provider URLs; the issuer is ${JSON.stringify(issuer)}`,
      '/server/publicUrl',
    )
  const url = issuer.slice('https://'.length)
  const providerArn = `arn:aws:iam::${accountId}:oidc-provider/${url}`
  const desired = [...roles]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((role): DesiredAwsRole => {
      const audience = role.audience ?? awsDefaultAudience
      const workloads = sortedUnique(role.workloads)
      return Object.freeze({
        name: role.name,
        audience,
        workloads,
        ...(role.maxSessionDurationSeconds === undefined
          ? {}
          : { maxSessionDurationSeconds: role.maxSessionDurationSeconds }),
        trustPolicy: trustPolicy(providerArn, url, audience, workloads),
      })
    })
  return Object.freeze({
    accountId,
    providerArn,
    provider: {
      url,
      clientIds: sortedUnique(desired.map((r) => r.audience)),
      thumbprints: sortedUnique(thumbprints),
    },
    roles: desired,
  })
}

// Exact IDs under StringEquals, globs under StringLike, in separate statements: two operators
// in one statement must both hold, which would need a subject to be in both lists.
function trustPolicy(
  providerArn: string,
  url: string,
  audience: string,
  workloads: readonly string[],
): AwsPolicyDocument {
  const exact = workloads.filter((w) => !isGlob(w))
  const globs = workloads.filter(isGlob)
  const statement = (sid: string, operator: 'StringEquals' | 'StringLike', subs: string[]) => ({
    Sid: sid,
    Effect: 'Allow',
    Principal: { Federated: providerArn },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition:
      operator === 'StringEquals'
        ? { StringEquals: { [`${url}:aud`]: audience, [`${url}:sub`]: subs } }
        : { StringEquals: { [`${url}:aud`]: audience }, StringLike: { [`${url}:sub`]: subs } },
  })
  return {
    Version: '2012-10-17',
    Statement: [
      ...(exact.length > 0 ? [statement('TesseraWorkloads', 'StringEquals', exact)] : []),
      ...(globs.length > 0 ? [statement('TesseraWorkloadGlobs', 'StringLike', globs)] : []),
    ],
  }
}

/** The CEL condition admitting exactly the configured workloads' subjects. */
export function gcpAttributeCondition(workloads: readonly string[]): string {
  return workloads
    .map((w) =>
      isGlob(w)
        ? `assertion.sub.matches(${celString(globPattern(w))})`
        : `assertion.sub == ${celString(w)}`,
    )
    .join(' || ')
}

function gcpState(
  issuer: string,
  projectNumber: string,
  pools: readonly GcpPoolConfig[],
  jwks: PublicJwks | undefined,
): NonNullable<DesiredCloudState['gcp']> {
  const unreachable = isPubliclyUnreachable(issuer)
  if (unreachable && jwks === undefined)
    refuse(
      `Google cannot fetch the JWKS of ${JSON.stringify(issuer)} (not a public https URL), so the export needs the current JWKS to upload`,
      '/clouds/gcp/pools',
    )
  const providers: DesiredGcpProvider[] = []
  const bindings: DesiredGcpBinding[] = []
  for (const pool of pools) {
    const workloads = sortedUnique(pool.workloads)
    const name = gcpProviderName(projectNumber, pool.pool, pool.provider)
    providers.push(
      Object.freeze({
        name,
        projectNumber,
        pool: pool.pool,
        provider: pool.provider,
        issuerUri: issuer,
        allowedAudiences: [gcpPoolAudience(projectNumber, pool)],
        attributeMapping: { 'google.subject': 'assertion.sub' },
        attributeCondition: gcpAttributeCondition(workloads),
        workloads,
        ...(unreachable ? { jwksJson: JSON.stringify({ keys: jwks?.keys ?? [] }) } : {}),
      }),
    )
    if (pool.serviceAccount === undefined) continue
    const principals = `iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/${pool.pool}`
    // An exact workload is one principal; a glob can only be granted as the whole pool, which
    // the provider's attribute condition limits to the glob's subjects.
    const members = sortedUnique(
      workloads.map((w) =>
        isGlob(w) ? `principalSet://${principals}/*` : `principal://${principals}/subject/${w}`,
      ),
    )
    for (const member of members)
      bindings.push(
        Object.freeze({
          serviceAccount: pool.serviceAccount,
          member,
          role: 'roles/iam.workloadIdentityUser' as const,
        }),
      )
  }
  const byName = (a: { name: string }, b: { name: string }) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0
  const key = (b: DesiredGcpBinding) => `${b.serviceAccount} ${b.member}`
  return Object.freeze({
    providers: providers.sort(byName),
    bindings: [...new Map(bindings.map((b) => [key(b), b])).values()].sort((a, b) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
    ),
  })
}

function azureState(
  issuer: string,
  identities: readonly AzureIdentityConfig[],
): NonNullable<DesiredCloudState['azure']> {
  const credentials: DesiredFederatedCredential[] = []
  for (const identity of [...identities].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )) {
    const used = new Set<string>()
    for (const subject of sortedUnique(identity.workloads)) {
      const base = federatedCredentialName(subject)
      let name = base
      for (let n = 2; used.has(name); n++) name = `${base.slice(0, 115)}-${n}`
      used.add(name)
      credentials.push(
        Object.freeze({
          identity: identity.name,
          clientId: identity.clientId,
          tenantId: identity.tenantId,
          ...(identity.resourceGroup === undefined
            ? {}
            : { resourceGroup: identity.resourceGroup }),
          name,
          issuer,
          subject,
          audiences: [azureTokenExchangeAudience] as const,
        }),
      )
    }
  }
  return Object.freeze({ credentials })
}
