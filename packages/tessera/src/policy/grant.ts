import { quote, redact, type TesseraError } from '@tessera/verify'
import type { EvaluationContext } from './clauses/context.ts'
import type { CompiledPolicy } from './compiled.ts'
import { policyError } from './explanation.ts'
import type { ResolvedTarget } from './inventory.ts'
import { renderTemplate, type Template } from './map-claims.ts'
import { spiffeIdProblem } from './spiffe.ts'
import type { PolicyGrant } from './types.ts'

/** Renders one template of the policy, or returns the `claim_mismatch` naming the claim it lacks. */
function render(
  policy: CompiledPolicy,
  context: EvaluationContext,
  trustDomain: string,
  where: string,
  template: Template,
): string | TesseraError {
  const { subject } = context.request
  const rendering = renderTemplate(template, {
    trustDomain,
    issuer: subject.issuer,
    claims: subject.claims,
  })
  if ('value' in rendering) return rendering.value
  const { claim, placeholder, found } = rendering
  const problem =
    found === undefined ? 'is missing' : `is ${redact(found)}, not a string, number or boolean`
  return policyError('claim_mismatch', 'output', policy.name, {
    message: `claim ${quote(claim)} ${problem}, and ${where} ${quote(template.source)} needs it for ${placeholder}`,
    expected: placeholder,
    actual: found === undefined ? 'missing' : redact(`${claim}=${JSON.stringify(found)}`),
  })
}

/**
 * Builds the grant of the policy that passed every clause: the output subject (template, or
 * the presented `sub`), the target audience, the scopes (requested, or all the policy's when
 * none were), the lifetime and the output claims.
 *
 * `ttlSeconds` is `min(maxTtlSeconds, requestedTtlSeconds)` over those that are set, and
 * `Infinity` when neither is: the caller applies the global default and cap, which policy does
 * not know.
 *
 * @throws {TesseraError} `claim_mismatch` (check `output`) when a template needs a claim the
 *   token lacks, or an identity policy's output subject is not a SPIFFE ID in the trust domain.
 */
export function buildGrant(
  policy: CompiledPolicy,
  context: EvaluationContext,
  target: ResolvedTarget,
  trustDomain: string,
): PolicyGrant {
  const { request } = context
  let subject: string
  if (policy.outputSubject !== undefined) {
    const rendered = render(policy, context, trustDomain, 'output subject', policy.outputSubject)
    if (typeof rendered !== 'string') throw rendered
    subject = rendered
  } else {
    const sub = request.subject.claims.sub
    if (typeof sub !== 'string') {
      throw policyError('claim_mismatch', 'output', policy.name, {
        message: 'claim "sub" is missing, and the output subject defaults to it',
        expected: '{sub}',
        actual: 'missing',
      })
    }
    subject = sub
  }
  if (policy.use === 'identity') {
    const problem = spiffeIdProblem(subject, trustDomain)
    if (problem !== undefined) {
      throw policyError('claim_mismatch', 'output', policy.name, {
        message: `output subject ${quote(subject)} is not a SPIFFE ID in trust domain ${quote(trustDomain)}: ${problem}`,
        expected: redact(`spiffe://${trustDomain}/<path>`),
        actual: redact(subject),
      })
    }
  }
  const entries: [string, string][] = []
  for (const [name, template] of policy.outputClaims) {
    const rendered = render(policy, context, trustDomain, `output claim ${quote(name)}`, template)
    if (typeof rendered !== 'string') throw rendered
    entries.push([name, rendered])
  }
  // fromEntries defines own data properties: a claim named like an Object.prototype member
  // cannot reach the prototype.
  const claims = Object.fromEntries(entries)
  const requested = [...new Set(request.scopes)]
  return Object.freeze({
    policy: policy.name,
    subject,
    audience: target.audience,
    service: target.service,
    scopes: Object.freeze(requested.length === 0 ? [...policy.scopes] : requested),
    ttlSeconds: Math.min(
      policy.maxTtlSeconds ?? Number.POSITIVE_INFINITY,
      request.requestedTtlSeconds ?? Number.POSITIVE_INFINITY,
    ),
    claims: Object.freeze(claims),
    singleUse: policy.singleUse,
  })
}
