import { detectHint, findClosest, quote, quoteList, TesseraError } from '@tessera/verify'
import { evaluateAws } from '../aws/evaluate-aws.ts'
import { parseAwsProvider } from '../aws/provider.ts'
import { type ConditionClause, parseTrustPolicy, type TrustStatement } from '../aws/trust-policy.ts'
import type { DesiredCloudState } from '../export/desired-state.ts'
import { isGlob, sampleSubject } from '../export/workloads.ts'
import { type DriftFinding, finding } from './finding.ts'
import { type LiveCloudConfig, readRoleFile } from './live-files.ts'
import { nearMisses } from './near-misses.ts'
import { tokenShape } from './token-shape.ts'

type AwsState = NonNullable<DesiredCloudState['aws']>

/**
 * Compares the live IAM OIDC provider and role trust policies with the desired state: the
 * provider URL (trailing slash, case, scheme), missing and extra client ids, a stale
 * thumbprint; and each role's trust policy, evaluated with the AWS model against a token
 * Tessera would mint for each of the role's workloads, plus subjects it allows that no
 * configured workload has.
 */
export function compareAws(
  state: DesiredCloudState,
  live: NonNullable<LiveCloudConfig['aws']>,
  now: number,
): DriftFinding[] {
  const aws = state.aws as AwsState
  const findings: DriftFinding[] = []
  const resource = `oidc-provider/${aws.provider.url}`
  if (live.provider !== undefined) {
    const { source } = live.provider
    const provider = parseAwsProvider(live.provider.text, source)
    const liveIssuer = /^[a-z][a-z0-9+.-]*:\/\//i.test(provider.url)
      ? provider.url
      : `https://${provider.url}`
    if (liveIssuer !== state.issuer) {
      const hint = detectHint(state.issuer, liveIssuer)
      findings.push(
        finding({
          code: 'drift_mismatch',
          cloud: 'aws',
          resource,
          path: 'Url',
          source,
          expected: aws.provider.url,
          actual: provider.url,
          ...(hint === undefined ? {} : { hint: hint.id }),
          message: `the provider's Url ${quote(provider.url)} is not the issuer Tessera mints as iss (${quote(state.issuer)}), so STS answers "No OpenIDConnect provider found"${hint === undefined ? '' : `: ${hint.words}`}`,
        }),
      )
    }
    const near = nearMisses(aws.provider.clientIds, provider.clientIds)
    for (const [id, liveId] of near)
      findings.push(
        finding({
          code: 'drift_mismatch',
          cloud: 'aws',
          resource,
          path: 'ClientIDList',
          source,
          expected: id,
          actual: liveId.value,
          hint: liveId.hint.id,
          message: `ClientIDList lists ${quote(liveId.value)} where cloud export writes ${quote(id)}, the aud Tessera mints for the roles, so STS answers "Incorrect token audience": ${liveId.hint.words}`,
        }),
      )
    const paired = new Set([...near.values()].map((m) => m.value))
    for (const id of aws.provider.clientIds)
      if (!provider.clientIds.includes(id) && !near.has(id))
        findings.push(
          finding({
            code: 'drift_missing',
            cloud: 'aws',
            resource,
            path: 'ClientIDList',
            source,
            expected: [id],
            actual: [...provider.clientIds],
            message: `ClientIDList ${quoteList(provider.clientIds)} lacks ${quote(id)}, the aud Tessera mints for the roles, so STS answers "Incorrect token audience"`,
          }),
        )
    for (const id of provider.clientIds)
      if (!aws.provider.clientIds.includes(id) && !paired.has(id))
        findings.push(
          finding({
            code: 'drift_extra',
            cloud: 'aws',
            resource,
            path: 'ClientIDList',
            source,
            expected: [...aws.provider.clientIds],
            actual: [id],
            message: `ClientIDList lists ${quote(id)}, which no configured role uses as audience`,
          }),
        )
    const wanted = aws.provider.thumbprints
    const held = provider.thumbprints.map((t) => t.toLowerCase())
    if (wanted.length > 0 && !wanted.some((t) => held.includes(t)))
      findings.push(
        finding({
          code: 'stale_thumbprint',
          cloud: 'aws',
          resource,
          path: 'ThumbprintList',
          source,
          expected: [...wanted],
          actual: [...provider.thumbprints],
          message: `ThumbprintList ${quoteList(provider.thumbprints)} does not hold the thumbprint of the TLS chain the issuer serves now (${quoteList(wanted)}); AWS uses it when the certificate is not from a CA it trusts`,
        }),
      )
  }
  for (const file of live.roles ?? []) findings.push(...compareRole(state, aws, file, now))
  return findings
}

function compareRole(
  state: DesiredCloudState,
  aws: AwsState,
  file: { source: string; text: string },
  now: number,
): DriftFinding[] {
  const { source } = file
  const { roleName, policyText } = readRoleFile(file)
  const trustPolicy = parseTrustPolicy(policyText, source)
  if (roleName === undefined && aws.roles.length > 1)
    throw new TesseraError({
      code: 'invalid_config',
      message: `AWS role file ${JSON.stringify(source)} holds a bare policy and tessera.yaml declares ${aws.roles.length} roles: give \`aws iam get-role\` output, which names the role`,
      problems: [{ path: 'Role.RoleName', message: 'expected the role name' }],
    })
  const role = aws.roles.find((r) => r.name === (roleName ?? aws.roles[0]?.name))
  if (role === undefined) {
    const closest = findClosest(
      aws.roles.map((r) => r.name),
      [roleName as string],
    )
    return [
      finding({
        code: 'drift_extra',
        cloud: 'aws',
        resource: `role/${roleName}`,
        path: 'RoleName',
        source,
        expected: aws.roles.map((r) => r.name),
        actual: roleName as string,
        ...(closest?.hint === undefined ? {} : { hint: closest.hint.id }),
        message: `the role ${quote(roleName)} trusts no configured workload: tessera.yaml declares ${quoteList(aws.roles.map((r) => r.name))}${closest?.hint === undefined ? '' : `: ${closest.hint.words}`}`,
      }),
    ]
  }
  const resource = `role/${role.name}`
  const { url } = aws.provider
  const subKey = `${url}:sub`.toLowerCase()
  // What cloud export writes under each condition key of the role's trust policy.
  const exportedValues = new Map<string, readonly string[]>([
    [`${url}:aud`.toLowerCase(), [role.audience]],
    [subKey, role.workloads],
  ])
  const clauses: LiveClause[] = trustPolicy.statements.flatMap((statement) =>
    statement.conditions.map((clause) => ({
      statement,
      clause,
      path: `AssumeRolePolicyDocument.${statement.label}.Condition.${clause.operator}[${JSON.stringify(clause.key)}]`,
    })),
  )
  const findings = new Map<string, DriftFinding>()
  // Live values a near miss already reports (path and value): not reported again as extra.
  const explained = new Set<string>()
  const base = { cloud: 'aws', resource, source } as const
  const model = { provider: aws.provider, trustPolicy }
  for (const workload of role.workloads) {
    const subject = sampleSubject(workload)
    const verdict = evaluateAws(model, tokenShape(state.issuer, role.audience, subject, now))
    if (verdict.accepted) continue
    const who =
      workload === subject
        ? `workload ${quote(workload)}`
        : `workload ${quote(workload)} (sub ${quote(subject)})`
    for (const failure of verdict.failures) {
      const e = failure.explanation
      const refused = `STS refuses the token Tessera mints for ${who} (${failure.code}: ${failure.message})`
      const path = `AssumeRolePolicyDocument${e.check.replace(/^aws\.trust_policy\.?/, '.')}`
      const failing = clauses.find((c) => c.path === path)
      const key = failing?.clause.key.toLowerCase()
      const exported = key === undefined ? undefined : exportedValues.get(key)
      if (failing === undefined || key === undefined || exported === undefined) {
        // One finding per failing rule, naming the first workload it refuses.
        if (!findings.has(path))
          findings.set(
            path,
            policyDrift({ ...base, path }, e, failing, url, `${refused}: ${e.message}`),
          )
        continue
      }
      // The value cloud export writes that the minted token carries for this key.
      const want = key === subKey ? workload : role.audience
      const sameKey = clauses.filter(
        (c) => c.statement.effect === 'Allow' && c.clause.key.toLowerCase() === key,
      )
      // A near miss anywhere under the key (the failing clause first) is one mismatch.
      const near = [failing, ...sameKey.filter((c) => c !== failing)]
        .map((c) => {
          const liveOnly = c.clause.values.filter(
            (v) => !exported.includes(v) && !explained.has(`${c.path}\0${v}`),
          )
          return { c, pair: nearMisses([want], liveOnly).get(want) }
        })
        .find((m) => m.pair !== undefined)
      if (near?.pair !== undefined) {
        const { c, pair } = near
        explained.add(`${c.path}\0${pair.value}`)
        findings.set(
          `${c.path}\0${want}`,
          finding({
            ...base,
            code: 'drift_mismatch',
            path: c.path,
            expected: want,
            actual: pair.value,
            hint: pair.hint.id,
            message: `${c.clause.operator} on ${quote(c.clause.key)} lists ${quote(pair.value)} where cloud export writes ${quote(want)}, so ${refused}: ${pair.hint.words}`,
          }),
        )
        continue
      }
      // Missing: named at the clause with the operator cloud export would put it under.
      const operator = key === subKey && isGlob(want) ? 'StringLike' : 'StringEquals'
      const at = sameKey.find((c) => c.clause.operator === operator) ?? failing
      if (!findings.has(`${at.path}\0${want}`))
        findings.set(
          `${at.path}\0${want}`,
          finding({
            ...base,
            code: 'drift_missing',
            path: at.path,
            expected: [want],
            actual: [...at.clause.values],
            message: `${at.clause.operator} on ${quote(at.clause.key)} lacks ${quote(want)}, which cloud export writes (it lists ${quoteList(at.clause.values)}), so ${refused}`,
          }),
        )
    }
  }
  for (const { statement, clause, path } of clauses) {
    const exported = exportedValues.get(clause.key.toLowerCase())
    if (statement.effect !== 'Allow' || exported === undefined) continue
    const what = clause.key.toLowerCase() === subKey ? 'sub' : 'aud'
    for (const value of clause.values)
      if (!exported.includes(value) && !explained.has(`${path}\0${value}`))
        findings.set(
          `${path}\0${value}`,
          finding({
            ...base,
            code: 'drift_extra',
            path,
            expected: [...exported],
            actual: [value],
            message: `the trust policy allows ${what} ${quote(value)}, which cloud export does not write for the role (${quoteList(exported)})`,
          }),
        )
  }
  return [...findings.values()]
}

/** A condition clause of the live trust policy, with the path findings name it by. */
interface LiveClause {
  readonly statement: TrustStatement
  readonly clause: ConditionClause
  readonly path: string
}

/**
 * The finding for a refusal that is not about a value under a key cloud export writes: a Deny
 * only the live policy has (extra), a principal or action the export writes that the live
 * policy lacks (missing, or mismatch on a near miss), a condition key the export never writes
 * (extra, or mismatch when it is a near miss of one it does, such as `host/:sub`).
 */
function policyDrift(
  at: Pick<DriftFinding, 'cloud' | 'resource' | 'source' | 'path'>,
  e: TesseraError,
  failing: LiveClause | undefined,
  url: string,
  message: string,
): DriftFinding {
  const hint = e.hint === undefined ? {} : { hint: e.hint }
  if (failing !== undefined) {
    const suffix = failing.clause.key.slice(failing.clause.key.lastIndexOf(':') + 1)
    return finding({
      ...at,
      code: e.hint === undefined ? 'drift_extra' : 'drift_mismatch',
      expected: e.hint === undefined ? [`${url}:aud`, `${url}:sub`] : `${url}:${suffix}`,
      actual: failing.clause.key,
      ...hint,
      message,
    })
  }
  return finding({
    ...at,
    code:
      e.code === 'policy_denied'
        ? 'drift_extra'
        : e.hint === undefined
          ? 'drift_missing'
          : 'drift_mismatch',
    ...(e.expected === undefined ? {} : { expected: e.expected }),
    ...(e.actual === undefined ? {} : { actual: e.actual }),
    ...hint,
    message,
  })
}
