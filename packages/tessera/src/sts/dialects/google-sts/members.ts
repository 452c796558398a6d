import { type Problem, quote } from '@tessera/verify'
import type { GcpDialectSection } from './config-schema.ts'
import { type GcpProvider, poolPrincipal, providerPolicyName } from './provider-name.ts'

/** One service account of a GCP section. */
export type GcpServiceAccount = NonNullable<GcpDialectSection['serviceAccounts']>[number]

const poolPath =
  '//iam\\.googleapis\\.com/projects/([0-9]+)/locations/global/workloadIdentityPools/([^/]+)'

/**
 * The IAM member forms a service account's `members` accepts (cloud-semantics.md §2.4): one
 * federated principal, `principal://…/workloadIdentityPools/P/subject/S`, or every identity of
 * a pool, `principalSet://…/workloadIdentityPools/P/*` — what a roles/iam.workloadIdentityUser
 * binding names. Groups and attributes are not supported: Tessera's STS tokens carry neither.
 */
export const memberPattern = `^(principal:${poolPath}/subject/.+|principalSet:${poolPath}/\\*)$`

const principalPattern = new RegExp(`^principal:${poolPath}/subject/(.+)$`)
const principalSetPattern = new RegExp(`^principalSet:${poolPath}/\\*$`)

/** A member, read: the pool it names and, for a `principal://`, the one subject. */
export interface GcpMember {
  readonly projectNumber: string
  readonly pool: string
  readonly subject?: string
}

/** Reads a member; undefined when it is neither of the supported forms. */
export function parseMember(member: string): GcpMember | undefined {
  const one = principalPattern.exec(member)
  if (one !== null) {
    const [, projectNumber = '', pool = '', subject = ''] = one
    return { projectNumber, pool, subject }
  }
  const set = principalSetPattern.exec(member)
  if (set === null) return undefined
  const [, projectNumber = '', pool = ''] = set
  return { projectNumber, pool }
}

/**
 * Every problem of the service accounts' `members` the schema cannot see, with its path: a
 * member of another project, or of a pool no provider of this section belongs to (its STS
 * tokens could never exist, so the binding is a typo).
 */
export function serviceAccountMemberProblems(section: GcpDialectSection | undefined): Problem[] {
  if (section === undefined) return []
  const pools = new Set((section.providers ?? []).map((p) => p.pool))
  const problems: Problem[] = []
  ;(section.serviceAccounts ?? []).forEach((account, i) => {
    ;(account.members ?? []).forEach((member, j) => {
      const path = `/clouds/gcp/serviceAccounts/${i}/members/${j}`
      const parsed = parseMember(member)
      if (parsed === undefined) {
        problems.push({
          path,
          message: `${quote(member)} is neither principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/S nor principalSet://…/workloadIdentityPools/P/*`,
        })
      } else if (parsed.projectNumber !== section.projectNumber) {
        problems.push({
          path,
          message: `names project ${quote(parsed.projectNumber)}, but clouds.gcp.projectNumber is ${quote(section.projectNumber)}`,
        })
      } else if (!pools.has(parsed.pool)) {
        problems.push({
          path,
          message: `names pool ${quote(parsed.pool)}, which no clouds.gcp.providers entry belongs to (pools: ${[...pools].map(quote).join(', ') || 'none'})`,
        })
      }
    })
  })
  return problems
}

/** What a service account's members compile to: who may present which STS tokens. */
export interface MemberBinding {
  /** The provider policies (STS token `client_id`) of the bound pools. */
  readonly clients: readonly string[]
  /** The federated targets (STS token `aud`) of those providers. */
  readonly audiences: readonly string[]
  /** CEL over `claims`: true only for a token of a bound pool and, for a principal, its subject. */
  readonly expression: string
}

/**
 * Compiles an account's members against the section's providers. Members of another project
 * or of a pool without providers bind nothing (the configuration check reports them), so an
 * account none of whose members binds yields undefined: it has no policy, and is refused.
 */
export function compileMembers(
  account: GcpServiceAccount,
  projectNumber: string,
  providers: readonly GcpProvider[],
): MemberBinding | undefined {
  const alternatives: string[] = []
  const bound: GcpProvider[] = []
  for (const member of account.members ?? []) {
    const parsed = parseMember(member)
    if (parsed === undefined || parsed.projectNumber !== projectNumber) continue
    const inPool = providers.filter((p) => p.pool === parsed.pool)
    if (inPool.length === 0) continue
    bound.push(...inPool)
    const clients = `claims.client_id in ${celList(inPool.map(providerPolicyName))}`
    // The STS step mints sub = the pool's principal prefix + google.subject (policies.ts).
    alternatives.push(
      parsed.subject === undefined
        ? `(${clients})`
        : `(${clients} && claims.sub == ${celString(`${poolPrincipal(projectNumber, parsed.pool)}${parsed.subject}`)})`,
    )
  }
  if (bound.length === 0) return undefined
  return {
    clients: [...new Set(bound.map(providerPolicyName))],
    audiences: [...new Set(bound.map((p) => p.target))],
    expression: alternatives.join(' || '),
  }
}

// A JSON string is a CEL string literal: both escape ", \ and control characters alike.
function celString(value: string): string {
  return JSON.stringify(value)
}

function celList(values: readonly string[]): string {
  return `[${[...new Set(values)].map(celString).join(', ')}]`
}
