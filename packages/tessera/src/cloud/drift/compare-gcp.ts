import { quote, quoteList } from '@tessera/verify'
import { isObject } from '../config-json.ts'
import type { DesiredCloudState, DesiredGcpProvider } from '../export/desired-state.ts'
import { sampleSubject } from '../export/workloads.ts'
import { evaluateGcp } from '../gcp/evaluate-gcp.ts'
import { parseGcpProvider } from '../gcp/provider.ts'
import { type DriftFinding, finding } from './finding.ts'
import { type LiveFile, readUploadedJwks } from './live-files.ts'
import { nearMisses } from './near-misses.ts'
import { tokenShape } from './token-shape.ts'

const kidsOf = (keys: readonly unknown[]): string[] =>
  keys.flatMap((k) => (isObject(k) && typeof k.kid === 'string' ? [k.kid] : []))

/**
 * Compares a live workload identity pool provider with the desired one of the same name:
 * state, issuer URI, allowed audiences, attribute mapping and condition (the condition also
 * evaluated with the GCP model against a token Tessera would mint for each workload), and an
 * uploaded JWKS that lacks a current kid or holds one Tessera no longer publishes.
 */
export function compareGcpProvider(
  state: DesiredCloudState,
  file: LiveFile,
  now: number,
): DriftFinding[] {
  const { source } = file
  const live = parseGcpProvider(file.text, source)
  const providers = state.gcp?.providers ?? []
  const desired = providers.find((p) => p.name === live.name)
  const base = { cloud: 'gcp' as const, resource: live.name, source }
  if (desired === undefined)
    return [
      finding({
        ...base,
        code: 'drift_extra',
        path: 'name',
        expected: providers.map((p) => p.name),
        actual: [live.name],
        message: `the provider ${quote(live.name)} is not one tessera.yaml declares (${quoteList(providers.map((p) => p.name))})`,
      }),
    ]
  const findings: DriftFinding[] = []
  if (live.state !== 'ACTIVE' || live.disabled)
    findings.push(
      finding({
        ...base,
        code: 'drift_mismatch',
        path: live.disabled ? 'disabled' : 'state',
        expected: live.disabled ? 'false' : 'ACTIVE',
        actual: live.disabled ? 'true' : live.state,
        message: `the provider is ${live.disabled ? 'disabled' : `in state ${quote(live.state)}`}: Google STS refuses every token with invalid_target`,
      }),
    )
  if (live.issuerUri !== desired.issuerUri)
    findings.push(
      finding({
        ...base,
        code: 'drift_mismatch',
        path: 'oidc.issuerUri',
        expected: desired.issuerUri,
        actual: live.issuerUri,
        message: `oidc.issuerUri ${quote(live.issuerUri)} is not the issuer Tessera mints as iss (${quote(desired.issuerUri)})`,
      }),
    )
  const near = nearMisses(desired.allowedAudiences, live.allowedAudiences)
  const paired = new Set([...near.values()].map((m) => m.value))
  for (const aud of desired.allowedAudiences) {
    const pair = near.get(aud)
    if (pair !== undefined)
      findings.push(
        finding({
          ...base,
          code: 'drift_mismatch',
          path: 'oidc.allowedAudiences',
          expected: aud,
          actual: pair.value,
          hint: pair.hint.id,
          message: `oidc.allowedAudiences lists ${quote(pair.value)} where cloud export writes ${quote(aud)}, the aud Tessera mints for this provider, so Google STS refuses its tokens: ${pair.hint.words}`,
        }),
      )
    else if (!live.allowedAudiences.includes(aud))
      findings.push(
        finding({
          ...base,
          code: 'drift_missing',
          path: 'oidc.allowedAudiences',
          expected: [aud],
          actual: [...live.allowedAudiences],
          message: `oidc.allowedAudiences ${quoteList(live.allowedAudiences)} lacks ${quote(aud)}, the aud Tessera mints for this provider`,
        }),
      )
  }
  for (const aud of live.allowedAudiences)
    if (!desired.allowedAudiences.includes(aud) && !paired.has(aud))
      findings.push(
        finding({
          ...base,
          code: 'drift_extra',
          path: 'oidc.allowedAudiences',
          expected: [...desired.allowedAudiences],
          actual: [aud],
          message: `oidc.allowedAudiences lists ${quote(aud)}, which tessera.yaml does not declare`,
        }),
      )
  const mapping = compareMapping(desired, live.mappings, base)
  findings.push(...mapping)
  const liveCondition = live.condition?.expression ?? ''
  if (liveCondition !== desired.attributeCondition)
    findings.push(
      finding({
        ...base,
        code: 'drift_mismatch',
        path: 'attributeCondition',
        expected: desired.attributeCondition,
        actual: liveCondition,
        message: `attributeCondition differs from the one generated for the configured workloads`,
      }),
    )
  // What the differing mapping or condition means: which minted tokens Google now refuses.
  for (const workload of desired.workloads) {
    const subject = sampleSubject(workload)
    const aud = desired.allowedAudiences[0] as string
    const verdict = evaluateGcp(live, tokenShape(desired.issuerUri, aud, subject, now))
    if (verdict.accepted) continue
    for (const failure of verdict.failures) {
      const e = failure.explanation
      if (!/^gcp\.provider\.attribute(Mapping|Condition)/.test(e.check)) continue
      const path = e.check.replace(/^gcp\.provider\./, '')
      // A mapping drift is already one finding of its own; its refusals would repeat it.
      if (mapping.some((m) => m.path === path)) continue
      findings.push(
        finding({
          ...base,
          code: 'drift_mismatch',
          path,
          ...(e.expected === undefined ? {} : { expected: e.expected }),
          ...(e.actual === undefined ? {} : { actual: e.actual }),
          ...(e.hint === undefined ? {} : { hint: e.hint }),
          message: `Google refuses the token Tessera mints for workload ${quote(workload)} (${failure.code}: ${failure.message}): ${e.message}`,
        }),
      )
    }
  }
  findings.push(...compareJwks(state, desired, file, base))
  return findings
}

/**
 * The attribute mapping, attribute by attribute: one cloud export maps that the live provider
 * maps to another expression is a mismatch, one it does not map missing, one only the live
 * provider maps extra. (No near misses to pair: Google's attribute names are lower case and
 * the export maps only `google.subject`, which every OIDC provider must map.)
 */
function compareMapping(
  desired: DesiredGcpProvider,
  live: readonly { attribute: string; program: { expression: string } }[],
  base: { cloud: 'gcp'; resource: string; source: string },
): DriftFinding[] {
  const findings: DriftFinding[] = []
  const liveMap = new Map(live.map((m) => [m.attribute, m.program.expression]))
  for (const [attribute, expression] of Object.entries(desired.attributeMapping)) {
    const actual = liveMap.get(attribute)
    if (actual === expression) continue
    findings.push(
      finding({
        ...base,
        code: actual === undefined ? 'drift_missing' : 'drift_mismatch',
        path: `attributeMapping[${JSON.stringify(attribute)}]`,
        expected: expression,
        ...(actual === undefined ? {} : { actual }),
        message: `attributeMapping maps ${attribute} ${actual === undefined ? 'to nothing' : `to ${quote(actual)}`}, not ${quote(expression)}`,
      }),
    )
  }
  const exported = Object.keys(desired.attributeMapping)
  for (const [attribute, expression] of liveMap)
    if (!exported.includes(attribute))
      findings.push(
        finding({
          ...base,
          code: 'drift_extra',
          path: `attributeMapping[${JSON.stringify(attribute)}]`,
          expected: exported,
          actual: [attribute],
          message: `attributeMapping maps ${attribute} (to ${quote(expression)}), which cloud export does not map`,
        }),
      )
  return findings
}

function compareJwks(
  state: DesiredCloudState,
  desired: DesiredGcpProvider,
  file: LiveFile,
  base: { cloud: 'gcp'; resource: string; source: string },
): DriftFinding[] {
  const uploaded = readUploadedJwks(file)
  const current =
    state.jwks?.keys ??
    (desired.jwksJson === undefined ? undefined : JSON.parse(desired.jwksJson).keys)
  if (uploaded === undefined) {
    if (desired.jwksJson === undefined) return []
    return [
      finding({
        ...base,
        code: 'drift_missing',
        path: 'oidc.jwksJson',
        expected: kidsOf(current ?? []),
        actual: [],
        message: `the issuer ${quote(desired.issuerUri)} is not reachable from Google, so the provider needs the uploaded JWKS; it has none`,
      }),
    ]
  }
  // Without Tessera's current keys there is nothing to compare the upload with.
  if (current === undefined) return []
  const currentKids = kidsOf(current)
  const uploadedKids = kidsOf(uploaded.keys)
  const findings: DriftFinding[] = []
  const missing = currentKids.filter((k) => !uploadedKids.includes(k))
  if (missing.length > 0)
    findings.push(
      finding({
        ...base,
        code: 'stale_jwks',
        path: 'oidc.jwksJson',
        expected: currentKids,
        actual: uploadedKids,
        message: `the uploaded JWKS lacks ${quoteList(missing)}${missing.includes(currentKids[0] as string) ? ` (${quote(currentKids[0])} signs Tessera's tokens now)` : ''}: Google cannot verify tokens signed with ${missing.length > 1 ? 'them' : 'it'}`,
      }),
    )
  const retired = uploadedKids.filter((k) => !currentKids.includes(k))
  if (retired.length > 0)
    findings.push(
      finding({
        ...base,
        code: 'stale_jwks',
        path: 'oidc.jwksJson',
        expected: currentKids,
        actual: uploadedKids,
        message: `the uploaded JWKS still holds ${quoteList(retired)}, which Tessera no longer publishes (retired or revoked): Google would accept tokens signed with ${retired.length > 1 ? 'them' : 'it'}`,
      }),
    )
  return findings
}
