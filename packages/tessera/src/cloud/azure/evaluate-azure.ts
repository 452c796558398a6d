import { findClosest, quote, quoteList, redact, redactList, TesseraError } from '@tessera/verify'
import { audiences } from '../config-json.ts'
import { type CloudFailure, type CloudToken, type CloudVerdict, verdictOf } from '../verdict.ts'
import type { FederatedCredential } from './fic.ts'

// Entra's texts ([O] in shared/reference/cloud-semantics.md §3.4 and §7).
const checkFic =
  'Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation'

const failure = (
  code: string,
  message: string,
  explanation: ConstructorParameters<typeof TesseraError>[0],
): CloudFailure => ({ code, message, explanation: new TesseraError(explanation) })

const label = (fic: FederatedCredential): string => `azure.fic[${JSON.stringify(fic.name)}]`

// Entra prints times with seven fractional digits: 2023-08-01T11:08:01.5274809Z.
const entraTime = (seconds: number): string => {
  const date = new Date(seconds * 1000)
  return Number.isNaN(date.getTime())
    ? String(seconds)
    : date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z')
}

/**
 * Evaluates a token as Entra ID would match it against an application's federated
 * credentials: issuer, then audience, then subject, each exact and case-sensitive; a subject
 * that matches only ignoring case is named as such (AADSTS7002138). Then the time range
 * (AADSTS700024). Among several credentials, the explanation names the closest one.
 */
export function evaluateAzure(
  credentials: readonly FederatedCredential[],
  token: CloudToken,
): CloudVerdict {
  const { claims, now } = token
  const failures: CloudFailure[] = []
  const iss = typeof claims.iss === 'string' ? claims.iss : ''
  const sub = typeof claims.sub === 'string' ? claims.sub : ''
  const aud = audiences(claims.aud)
  const byIssuer = credentials.filter((c) => c.issuer === iss)
  const byAudience = byIssuer.filter((c) => aud.includes(c.audience))
  const matched = byAudience.some((c) => c.subject === sub)

  if (byIssuer.length === 0) {
    const closest = findClosest(
      credentials.map((c) => c.issuer),
      [iss],
    )
    const fic = credentials.find((c) => c.issuer === closest?.expected) ?? credentials[0]
    failures.push(
      failure(
        'AADSTS700211',
        `No matching federated identity record found for presented assertion issuer '${iss}'. ${checkFic}`,
        {
          code: 'issuer_mismatch',
          check: `${label(fic as FederatedCredential)}.issuer`,
          message: `iss ${quote(iss)} is not the issuer of any federated credential (${quoteList(credentials.map((c) => c.issuer))})${closest?.hint ? `: ${closest.hint.words}` : ''}`,
          expected: credentials.map((c) => c.issuer),
          actual: redact(iss),
          ...(closest?.hint ? { hint: closest.hint.id } : {}),
        },
      ),
    )
  } else if (byAudience.length === 0) {
    const closest = findClosest(
      byIssuer.map((c) => c.audience),
      aud,
    )
    const fic = byIssuer.find((c) => c.audience === closest?.expected) ?? byIssuer[0]
    failures.push(
      failure(
        'AADSTS700212',
        `No matching federated identity record found for presented assertion audience '${aud.join(',')}'. ${checkFic}`,
        {
          code: 'audience_mismatch',
          check: `${label(fic as FederatedCredential)}.audiences`,
          message: `aud ${quoteList(aud)} is not the audience of any credential with this issuer (${quoteList(byIssuer.map((c) => c.audience))})${closest?.hint ? `: ${closest.hint.words}` : ''}`,
          expected: byIssuer.map((c) => c.audience),
          actual: redactList(aud),
          ...(closest?.hint ? { hint: closest.hint.id } : {}),
        },
      ),
    )
  } else if (!matched) {
    const subjects = byAudience.map((c) => c.subject)
    const caseOnly = byAudience.find((c) => c.subject.toLowerCase() === sub.toLowerCase())
    const closest = findClosest(subjects, [sub])
    const fic = caseOnly ?? byAudience.find((c) => c.subject === closest?.expected) ?? byAudience[0]
    const hint = caseOnly
      ? {
          id: 'case' as const,
          words: 'the values differ only in letter case (Entra compares subjects case-sensitively)',
        }
      : closest?.hint
    failures.push(
      failure(
        caseOnly ? 'AADSTS7002138' : 'AADSTS700213',
        caseOnly
          ? `No matching federated identity record found for presented assertion subject '${sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison.`
          : `No matching federated identity record found for presented assertion subject '${sub}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion`,
        {
          code: 'subject_mismatch',
          check: `${label(fic as FederatedCredential)}.subject`,
          message: `sub ${quote(sub)} is not the subject of any credential with this issuer and audience (${quoteList(subjects)})${hint ? `: ${hint.words}` : ''}`,
          expected: caseOnly ? caseOnly.subject : subjects,
          actual: redact(sub),
          ...(hint ? { hint: hint.id } : {}),
        },
      ),
    )
  }

  const from = typeof claims.nbf === 'number' ? claims.nbf : claims.iat
  if (
    typeof claims.exp !== 'number' ||
    claims.exp <= now ||
    (typeof from === 'number' && from > now)
  )
    failures.push(
      failure(
        'AADSTS700024',
        `Client assertion is not within its valid time range. Current time: ${entraTime(now)}, assertion valid from ${typeof from === 'number' ? entraTime(from) : 'unknown'}, expiry time of assertion ${typeof claims.exp === 'number' ? entraTime(claims.exp) : 'unknown'}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`,
        {
          code:
            typeof claims.exp !== 'number'
              ? 'missing_claim'
              : claims.exp <= now
                ? 'expired'
                : 'not_yet_valid',
          check: 'azure.token.time_range',
          message: `now ${entraTime(now)} is outside the assertion's valid range`,
          expected: `valid at ${entraTime(now)}`,
          actual: `${typeof from === 'number' ? entraTime(from) : '?'} – ${typeof claims.exp === 'number' ? entraTime(claims.exp) : '?'}`,
        },
      ),
    )
  return verdictOf(failures)
}
