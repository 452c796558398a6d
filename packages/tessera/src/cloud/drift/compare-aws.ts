import { detectHint, findClosest, quote, quoteList, TesseraError } from '@tessera/verify'
import { evaluateAws } from '../aws/evaluate-aws.ts'
import { parseAwsProvider } from '../aws/provider.ts'
import { parseTrustPolicy } from '../aws/trust-policy.ts'
import type { DesiredCloudState } from '../export/desired-state.ts'
import { sampleSubject } from '../export/workloads.ts'
import { type DriftFinding, finding } from './finding.ts'
import { type LiveCloudConfig, readRoleFile } from './live-files.ts'
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
    for (const id of aws.provider.clientIds)
      if (!provider.clientIds.includes(id))
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
      if (!aws.provider.clientIds.includes(id))
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
  const findings: DriftFinding[] = []
  const model = { provider: aws.provider, trustPolicy }
  const resource = `role/${role.name}`
  const seen = new Set<string>()
  for (const workload of role.workloads) {
    const subject = sampleSubject(workload)
    const verdict = evaluateAws(model, tokenShape(state.issuer, role.audience, subject, now))
    if (verdict.accepted) continue
    for (const failure of verdict.failures) {
      const e = failure.explanation
      const path = `AssumeRolePolicyDocument${e.check.replace(/^aws\.trust_policy\.?/, '.')}`
      // One finding per failing clause, naming the first workload it refuses.
      if (seen.has(path)) continue
      seen.add(path)
      findings.push(
        finding({
          code: 'drift_mismatch',
          cloud: 'aws',
          resource,
          path,
          source,
          ...(e.expected === undefined ? {} : { expected: e.expected }),
          ...(e.actual === undefined ? {} : { actual: e.actual }),
          ...(e.hint === undefined ? {} : { hint: e.hint }),
          message: `the live trust policy refuses the token Tessera mints for ${workload === subject ? `workload ${quote(workload)}` : `workloads ${quote(workload)} (sub ${quote(subject)})`} (${failure.code}: ${failure.message}): ${e.message}`,
        }),
      )
    }
  }
  const subKey = `${aws.provider.url}:sub`.toLowerCase()
  trustPolicy.statements.forEach((statement, i) => {
    if (statement.effect !== 'Allow') return
    for (const clause of statement.conditions) {
      if (clause.key.toLowerCase() !== subKey) continue
      for (const value of clause.values)
        if (!role.workloads.includes(value))
          findings.push(
            finding({
              code: 'drift_extra',
              cloud: 'aws',
              resource,
              path: `AssumeRolePolicyDocument.Statement[${i}].Condition.${clause.operator}[${JSON.stringify(clause.key)}]`,
              source,
              expected: [...role.workloads],
              actual: [value],
              message: `the trust policy allows sub ${quote(value)}, which is not a workload configured for the role (${quoteList(role.workloads)})`,
            }),
          )
    }
  })
  return findings
}
