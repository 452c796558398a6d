import { detectHint, quote, quoteList, redact, TesseraError } from '@tessera/verify'
import type { CompiledPolicySet } from '../../../policy/index.ts'
import type { EntraDialectSection } from './config-schema.ts'
import type { EntraTokenRequest } from './parse.ts'
import { entraPolicyName } from './policies.ts'
import { entraVariants, withEntraWire } from './wire-codes.ts'

type Application = EntraDialectSection['applications'][number]
type FederatedCredential = Application['federatedCredentials'][number]

/** The federated credential an assertion matched, and what the exchange is for. */
export interface FicMatch {
  readonly application: Application
  readonly credential: FederatedCredential
  /** The credential's implied policy (`entra:<clientId>:<name>`): the only one that may grant. */
  readonly policy: string
  /** The inventory audience the scope's resource names: the `aud` to mint. */
  readonly audience: string
}

/**
 * Finds the application (tenant, then client id) and the federated identity credential that
 * the assertion's `iss`, `sub` and `aud` match exactly and case-sensitively, as Entra does,
 * then resolves the scope's resource against the application's target. Claims are read
 * unverified here; the engine verifies the assertion afterwards, under the matched
 * credential's policy only.
 *
 * Which Entra code a miss gets (Entra's own selection is not documented; cloud-semantics §5):
 * the issuer matches no credential → AADSTS700211; the issuer matches and the subject matches a
 * credential of that issuer but no audience does → AADSTS700212; an audience matches but no
 * subject does → AADSTS700213, or AADSTS7002138 when a subject matches ignoring case; neither
 * subject nor audience matches → AADSTS70021, which names all three values.
 *
 * @throws {TesseraError} `no_matching_policy` (AADSTS90002 unknown tenant, 700016 unknown
 * client, 70021), `issuer_unknown` (700211), `audience_mismatch` (700212), `subject_mismatch`
 * (700213, 7002138), `target_not_allowed` (500011)
 */
export function matchFederatedCredential(
  section: EntraDialectSection | undefined,
  request: EntraTokenRequest,
  policies: CompiledPolicySet,
): FicMatch {
  const application = findApplication(section, request)
  const credential = findCredential(application, request)
  const found = policies.audiencesFor(request.resource)
  if (found === undefined || found.service !== application.target) {
    throw withEntraWire(
      new TesseraError({
        code: 'target_not_allowed',
        check: 'target',
        message: `resource ${quote(request.resource)} is not an audience of service ${quote(application.target)}, the target of client ${quote(application.clientId)}`,
        expected: `an audience of ${redact(application.target)}`,
        actual: redact(request.resource),
      }),
      entraVariants.resourceNotFound,
    )
  }
  return {
    application,
    credential,
    policy: entraPolicyName(application, credential),
    audience: found.audience,
  }
}

function findApplication(
  section: EntraDialectSection | undefined,
  request: EntraTokenRequest,
): Application {
  const inTenant = (section?.applications ?? []).filter((a) => a.tenantId === request.tenant)
  if (inTenant.length === 0) {
    throw withEntraWire(
      new TesseraError({
        code: 'no_matching_policy',
        check: 'tenant',
        message: `no Entra application is configured for tenant ${quote(request.tenant)}`,
        expected: 'a tenant of clouds.entra.applications',
        actual: redact(request.tenant),
      }),
      entraVariants.unknownTenant,
    )
  }
  const application = inTenant.find((a) => a.clientId === request.clientId)
  if (application !== undefined) return application
  const near = inTenant.map((a) => a.clientId).find((id) => detectHint(id, request.clientId))
  const hint = near === undefined ? undefined : detectHint(near, request.clientId)
  throw withEntraWire(
    new TesseraError({
      code: 'no_matching_policy',
      check: 'client',
      message: `client_id ${quote(request.clientId)} is not an application of tenant ${quote(request.tenant)}${hint === undefined ? '' : `: ${hint.words}`}`,
      expected: 'a clientId of the tenant in clouds.entra.applications',
      actual: redact(request.clientId),
      ...(hint === undefined ? {} : { hint: hint.id }),
    }),
    entraVariants.unknownApplication,
  )
}

function findCredential(application: Application, request: EntraTokenRequest): FederatedCredential {
  const { claims } = request.decoded
  const iss = typeof claims.iss === 'string' ? claims.iss : ''
  const sub = typeof claims.sub === 'string' ? claims.sub : ''
  const aud = typeof claims.aud === 'string' ? [claims.aud] : stringsOf(claims.aud)
  const credentials = application.federatedCredentials
  const client = `client ${quote(application.clientId)}`
  const byIssuer = credentials.filter((c) => c.issuer === iss)
  if (byIssuer.length === 0) {
    const hint = nearMiss(
      credentials.map((c) => c.issuer),
      iss,
    )
    throw withEntraWire(
      new TesseraError({
        code: 'issuer_unknown',
        check: 'federated_credential',
        message: `no federated credential of ${client} has issuer ${quote(iss)}${hint === undefined ? '' : `: ${hint.words}`}`,
        expected: quoteListOf(credentials.map((c) => c.issuer)),
        actual: redact(iss),
        ...(hint === undefined ? {} : { hint: hint.id }),
      }),
      entraVariants.issuerNotFound,
    )
  }
  const byAudience = byIssuer.filter((c) => c.audiences.some((a) => aud.includes(a)))
  const exact = byAudience.find((c) => c.subject === sub)
  if (exact !== undefined) return exact
  if (byAudience.length === 0) {
    const subjectMatches = byIssuer.some((c) => c.subject === sub)
    const expected = byIssuer.flatMap((c) => c.audiences)
    const hint = aud.length === 1 ? nearMiss(expected, aud[0] as string) : undefined
    throw withEntraWire(
      new TesseraError({
        code: subjectMatches ? 'audience_mismatch' : 'no_matching_policy',
        check: 'federated_credential',
        message: subjectMatches
          ? `aud ${quoteList(aud)} is not the audience of the federated credential of ${client} for this issuer and subject${hint === undefined ? '' : `: ${hint.words}`}`
          : `no federated credential of ${client} for issuer ${quote(iss)} has subject ${quote(sub)} or an audience in ${quoteList(aud)}`,
        expected: quoteListOf(expected),
        actual: aud.map((a) => redact(a)),
        ...(hint === undefined ? {} : { hint: hint.id }),
      }),
      subjectMatches ? entraVariants.audienceNotFound : entraVariants.noMatchingRecord,
    )
  }
  const subjects = byAudience.map((c) => c.subject)
  // Entra compares subjects case-sensitively since August 2024 and says so when case is all
  // that differs (AADSTS7002138).
  const caseOnly = subjects.some((s) => s.toLowerCase() === sub.toLowerCase())
  const hint = caseOnly
    ? { id: 'case' as const, words: 'the values differ only by letter case' }
    : nearMiss(subjects, sub)
  throw withEntraWire(
    new TesseraError({
      code: 'subject_mismatch',
      check: 'federated_credential',
      message: `sub ${quote(sub)} is not the subject of a federated credential of ${client} for this issuer and audience${hint === undefined ? '' : `: ${hint.words}`}`,
      expected: quoteListOf(subjects),
      actual: redact(sub),
      ...(hint === undefined ? {} : { hint: hint.id }),
    }),
    caseOnly ? entraVariants.subjectCaseOnly : entraVariants.subjectNotFound,
  )
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

function nearMiss(candidates: readonly string[], actual: string) {
  for (const candidate of candidates) {
    const hint = detectHint(candidate, actual)
    if (hint !== undefined) return hint
  }
  return undefined
}

// The configured values go to the audit log only: Entra's answer quotes the assertion alone.
function quoteListOf(values: readonly string[]): string[] {
  return [...new Set(values)].map((v) => redact(v))
}
