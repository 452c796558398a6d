import { findClosest, type Problem, quote, redact } from '@tessera/verify'
import type { CompiledActor, CompiledPolicy, CompiledTarget } from './compiled.ts'
import type { InventoryIndex } from './inventory.ts'
import { compileTemplate, type Template } from './map-claims.ts'
import { type CompiledCondition, compileCondition } from './match/cel.ts'
import { type CompiledClaim, compileClaim } from './match/claims.ts'
import { compileGlob } from './match/glob.ts'
import {
  globProblem,
  issuerProblem,
  matchesEverything,
  subjectPatternProblem,
} from './pattern-checks.ts'
import { pointer } from './pointer.ts'
import { reservedOutputClaims } from './reserved-claims.ts'
import type { PolicyConfig, PolicyContext } from './types.ts'

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

// Fields a deny policy cannot use: it only refuses, so there is nothing to grant or map.
const grantOnlyFields = ['scopes', 'maxTtlSeconds', 'output', 'singleUse', 'actor'] as const

/** Where problems of one policy go: `report('subject', 'message')` at `/policies/<i>/subject`. */
type Report = (message: string, ...path: readonly (string | number)[]) => void

function compileTargets(
  targets: readonly string[],
  inventory: InventoryIndex,
  report: Report,
): CompiledTarget[] {
  const compiled: CompiledTarget[] = []
  const seen = new Set<string>()
  targets.forEach((target, j) => {
    if (seen.has(target)) {
      report(`target ${quote(target)} is listed twice`, 'targets', j)
      return
    }
    seen.add(target)
    const entry = inventory.resolve(target)
    if (entry === undefined) {
      const hint = findClosest(inventory.names, [target])?.hint
      report(
        `target ${quote(target)} is neither a service name nor an audience in the inventory${hint === undefined ? '' : `: ${hint.words}`}`,
        'targets',
        j,
      )
      return
    }
    compiled.push(
      Object.freeze({
        written: target,
        service: entry.service.name,
        audiences: entry.kind === 'audience' ? [entry.audience] : entry.service.audiences,
      }),
    )
  })
  return compiled
}

function compileScopes(scopes: readonly string[], report: Report): string[] {
  const seen = new Set<string>()
  scopes.forEach((scope, j) => {
    if (seen.has(scope)) report(`scope ${quote(scope)} is listed twice`, 'scopes', j)
    else if (!scopeToken.test(scope)) {
      report(
        `scope ${quote(scope)} is not a scope token (RFC 6749 §3.3: printable ASCII without space, " or \\)`,
        'scopes',
        j,
      )
    }
    seen.add(scope)
  })
  return [...seen]
}

function compileClaims(claims: PolicyConfig['claims'], report: Report): CompiledClaim[] {
  return Object.entries(claims ?? {}).map(([name, value]) => {
    const values = Array.isArray(value) ? value : [value]
    if (values.length === 0) report('an empty list of alternatives never matches', 'claims', name)
    values.forEach((v, k) => {
      const problem = typeof v === 'string' ? globProblem(v) : undefined
      if (problem === undefined) return
      if (Array.isArray(value)) report(problem, 'claims', name, k)
      else report(problem, 'claims', name)
    })
    return compileClaim(name, value)
  })
}

function compileOutput(
  policy: PolicyConfig,
  trustDomain: string,
  report: Report,
): { subject?: Template; claims: (readonly [string, Template])[] } {
  const output = policy.output
  let subject: Template | undefined
  if (output?.subject !== undefined) {
    const compiled = compileTemplate(output.subject)
    if ('problems' in compiled) for (const p of compiled.problems) report(p, 'output', 'subject')
    else subject = compiled.template
  }
  if (policy.use === 'identity' && policy.effect !== 'deny') {
    if (output?.subject === undefined) {
      report(
        'is required for an identity policy: the issued sub must be a SPIFFE ID',
        'output',
        'subject',
      )
    } else if (
      !output.subject.startsWith('spiffe://{trustDomain}/') &&
      !output.subject.startsWith(`spiffe://${trustDomain}/`)
    ) {
      report(
        `template ${quote(output.subject)} must start with "spiffe://{trustDomain}/" or ${quote(`spiffe://${trustDomain}/`)}: an identity policy issues SPIFFE IDs of its own trust domain`,
        'output',
        'subject',
      )
    }
  }
  const claims: (readonly [string, Template])[] = []
  for (const [name, source] of Object.entries(output?.claims ?? {})) {
    if (reservedOutputClaims.has(name)) {
      report(
        `claim ${quote(name)} is set by Tessera itself and cannot be mapped`,
        'output',
        'claims',
        name,
      )
      continue
    }
    const compiled = compileTemplate(source)
    if ('problems' in compiled) {
      for (const p of compiled.problems) report(p, 'output', 'claims', name)
    } else claims.push([name, compiled.template] as const)
  }
  return subject === undefined ? { claims } : { subject, claims }
}

function compileActor(
  actor: NonNullable<PolicyConfig['actor']>,
  context: PolicyContext,
  report: Report,
): CompiledActor {
  const issuer = issuerProblem(actor.issuer, context)
  if (issuer !== undefined) report(issuer, 'actor', 'issuer')
  if (actor.subject !== undefined) {
    const own = actor.issuer === context.issuerUrl ? context.trustDomain : undefined
    const problem = subjectPatternProblem(actor.subject, own)
    if (problem !== undefined) report(problem, 'actor', 'subject')
  }
  return Object.freeze({
    issuer: actor.issuer,
    ...(actor.subject === undefined ? {} : { subject: compileGlob(actor.subject) }),
    requireMayAct: actor.requireMayAct === true,
  })
}

function compileConditionAt(
  condition: NonNullable<PolicyConfig['condition']>,
  report: Report,
): CompiledCondition | undefined {
  if (condition.message.trim() === '') {
    report('is empty: it is what a denied caller is told', 'condition', 'message')
  }
  const compiled = compileCondition(condition)
  if ('problem' in compiled) {
    report(compiled.problem, 'condition', 'expression')
    return undefined
  }
  return compiled.condition
}

/**
 * Compiles one policy (the `index`-th), reporting every problem found with its JSON pointer.
 * The returned policy is only meaningful when no problem was reported.
 */
export function compilePolicy(
  policy: PolicyConfig,
  index: number,
  context: PolicyContext,
  inventory: InventoryIndex,
  problems: Problem[],
): CompiledPolicy {
  const report: Report = (message, ...path) =>
    problems.push({ path: pointer('policies', index, ...path), message })
  const effect = policy.effect ?? 'allow'
  const issuer = issuerProblem(policy.issuer, context)
  if (issuer !== undefined) report(issuer, 'issuer')
  if (policy.subject !== undefined) {
    const own = policy.issuer === context.issuerUrl ? context.trustDomain : undefined
    const problem = subjectPatternProblem(policy.subject, own)
    if (problem !== undefined) report(problem, 'subject')
  }
  const constrainsSubject = policy.subject !== undefined && !matchesEverything(policy.subject)
  if (effect === 'allow' && !constrainsSubject && Object.keys(policy.claims ?? {}).length === 0) {
    report('an allow policy must constrain the identity: set subject (not "**") or claims')
  }
  if (effect === 'deny') {
    for (const field of grantOnlyFields) {
      if (policy[field] !== undefined) report('has no effect on a deny policy', field)
    }
  } else if (policy.targets === undefined) {
    report(
      'is required for an allow policy: the inventory services or audiences it grants',
      'targets',
    )
  }
  if (
    policy.maxTtlSeconds !== undefined &&
    !(Number.isSafeInteger(policy.maxTtlSeconds) && policy.maxTtlSeconds > 0)
  ) {
    report(
      `${redact(String(policy.maxTtlSeconds))} is not a positive whole number of seconds`,
      'maxTtlSeconds',
    )
  }
  const audiences =
    policy.audience === undefined
      ? effect === 'deny'
        ? undefined
        : [context.issuerUrl]
      : typeof policy.audience === 'string'
        ? [policy.audience]
        : [...policy.audience]
  const condition =
    policy.condition === undefined ? undefined : compileConditionAt(policy.condition, report)
  const output = compileOutput(policy, context.trustDomain, report)
  const actor = policy.actor === undefined ? undefined : compileActor(policy.actor, context, report)
  return Object.freeze({
    name: policy.name,
    ...(policy.dialect === undefined ? {} : { dialect: policy.dialect }),
    effect,
    use: policy.use ?? (effect === 'deny' ? undefined : 'exchange'),
    issuer: policy.issuer,
    audiences: audiences === undefined ? undefined : Object.freeze(audiences),
    ...(policy.subject === undefined ? {} : { subject: compileGlob(policy.subject) }),
    claims: Object.freeze(compileClaims(policy.claims, report)),
    ...(condition === undefined ? {} : { condition }),
    ...(actor === undefined ? {} : { actor }),
    targets: Object.freeze(compileTargets(policy.targets ?? [], inventory, report)),
    scopes: Object.freeze(compileScopes(policy.scopes ?? [], report)),
    ...(policy.maxTtlSeconds === undefined ? {} : { maxTtlSeconds: policy.maxTtlSeconds }),
    ...(output.subject === undefined ? {} : { outputSubject: output.subject }),
    outputClaims: Object.freeze(output.claims),
    singleUse: policy.singleUse === true,
  })
}
