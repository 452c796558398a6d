import { detectHint, quote, quoteList } from '@tessera/verify'
import { type FederatedCredential, parseFederatedCredential } from '../azure/fic.ts'
import type { DesiredCloudState, DesiredFederatedCredential } from '../export/desired-state.ts'
import { type DriftFinding, finding } from './finding.ts'
import { type LiveFile, readCredentialsFile } from './live-files.ts'

interface Live extends FederatedCredential {
  readonly identity?: string
  readonly source: string
}

/**
 * Compares the live federated credentials of the configured identities with the desired
 * ones: each desired credential is found by name (or else by issuer and subject, ignoring
 * case, or else by an issuer and subject that are near misses of its own); its issuer, subject (case-sensitive in Entra) and audience are compared; a missing
 * one and a live one nothing declares are findings too. Credentials of identities the
 * configuration does not declare are left alone.
 */
export function compareAzure(state: DesiredCloudState, files: readonly LiveFile[]): DriftFinding[] {
  const desired = state.azure?.credentials ?? []
  const identities = new Set(desired.map((c) => c.identity))
  const live: Live[] = files.flatMap((file) =>
    readCredentialsFile(file).map((c) => ({
      ...parseFederatedCredential(c.text, c.source),
      ...(c.identity === undefined ? {} : { identity: c.identity }),
      source: c.source,
    })),
  )
  const inScope = live.filter((c) => c.identity === undefined || identities.has(c.identity))
  const used = new Set<Live>()
  const findings: DriftFinding[] = []
  const sameIdentity = (want: DesiredFederatedCredential, c: Live) =>
    c.identity === undefined || c.identity === want.identity
  // Exact pairings first (by name, then by issuer and subject ignoring case) so that a near
  // miss of one desired credential never takes the live credential another one names.
  const matches = new Map<DesiredFederatedCredential, Live>()
  const pair = (find: (want: DesiredFederatedCredential, c: Live) => boolean) => {
    for (const want of desired) {
      if (matches.has(want)) continue
      const match = inScope.find((c) => !used.has(c) && sameIdentity(want, c) && find(want, c))
      if (match === undefined) continue
      matches.set(want, match)
      used.add(match)
    }
  }
  pair((want, c) => c.name === want.name)
  pair(
    (want, c) =>
      c.issuer.toLowerCase() === want.issuer.toLowerCase() &&
      c.subject.toLowerCase() === want.subject.toLowerCase(),
  )
  // A near miss: issuer and subject each equal or a near miss of the exported one (a trailing
  // slash on the issuer, a path beside the subject), reported as the fields' mismatches.
  pair((want, c) => nearly(want.issuer, c.issuer) && nearly(want.subject, c.subject))
  for (const want of desired) {
    const match = matches.get(want)
    const resource = `${want.identity}/${want.name}`
    if (match === undefined) {
      findings.push(
        finding({
          code: 'drift_missing',
          cloud: 'azure',
          resource,
          path: 'subject',
          source: files[0]?.source ?? '',
          expected: [want.subject],
          actual: inScope
            .filter((c) => !used.has(c) && sameIdentity(want, c))
            .map((c) => c.subject),
          message: `no federated credential of ${quote(want.identity)} accepts the tokens Tessera mints for ${quote(want.subject)} (Entra answers AADSTS70021)`,
        }),
      )
      continue
    }
    const base = { cloud: 'azure' as const, resource, source: match.source }
    const fields = [
      ['issuer', want.issuer, match.issuer],
      ['subject', want.subject, match.subject],
      ['audiences[0]', want.audiences[0], match.audience],
    ] as const
    for (const [path, expected, actual] of fields)
      if (expected !== actual)
        findings.push(
          finding({
            ...base,
            code: 'drift_mismatch',
            path,
            expected,
            actual,
            message: `the credential's ${path} ${quote(actual)} is not ${quote(expected)}${path === 'subject' && expected.toLowerCase() === actual.toLowerCase() ? ' (Entra compares subjects case-sensitively: AADSTS7002138)' : ''}`,
          }),
        )
  }
  for (const c of inScope)
    if (!used.has(c))
      findings.push(
        finding({
          code: 'drift_extra',
          cloud: 'azure',
          resource: `${c.identity ?? '?'}/${c.name}`,
          path: 'name',
          source: c.source,
          expected: desired.map((d) => d.name),
          actual: [c.name],
          message: `the federated credential ${quote(c.name)} (subject ${quote(c.subject)}) is not one tessera.yaml declares (${quoteList(desired.map((d) => d.name))})`,
        }),
      )
  return findings
}

/** Equal ignoring case (Entra matches issuers so; a subject's case is its own finding) or a near miss. */
const nearly = (expected: string, actual: string): boolean =>
  expected.toLowerCase() === actual.toLowerCase() || detectHint(expected, actual) !== undefined
