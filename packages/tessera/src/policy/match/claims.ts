import { findClosest, type Hint, quote, quoteList, redact } from '@tessera/verify'
import type { Explanation } from '../explanation.ts'
import { readClaim } from './claim-path.ts'
import { compileGlob, type Glob } from './glob.ts'
import { detectGlobHint } from './glob-hint.ts'

/** A value a claim constraint accepts: a string (exact or glob), a number or a boolean. */
export type ClaimConstraintValue = string | number | boolean

/** One alternative of a claim constraint; strings carry their compiled glob. */
export type ClaimAlternative =
  | { readonly value: string; readonly glob: Glob }
  | { readonly value: number | boolean }

/** A compiled claim constraint: the claim passes when its value matches one alternative. */
export interface CompiledClaim {
  readonly name: string
  readonly alternatives: readonly ClaimAlternative[]
}

/** Compiles the constraint `name: value` (a value or a list of alternatives) once. */
export function compileClaim(
  name: string,
  value: ClaimConstraintValue | readonly ClaimConstraintValue[],
): CompiledClaim {
  const values: readonly ClaimConstraintValue[] = Array.isArray(value) ? value : [value]
  const alternatives = values.map(
    (v): ClaimAlternative =>
      typeof v === 'string' ? { value: v, glob: compileGlob(v) } : { value: v },
  )
  return Object.freeze({ name, alternatives: Object.freeze(alternatives) })
}

// Numbers and booleans compare by value and type: the YAML `1` never matches the claim "1".
function matchesOne(alternative: ClaimAlternative, value: unknown): boolean {
  if ('glob' in alternative) return typeof value === 'string' && alternative.glob.matches(value)
  return value === alternative.value
}

function matchesValue(claim: CompiledClaim, value: unknown): boolean {
  return claim.alternatives.some((alternative) => matchesOne(alternative, value))
}

/**
 * True when the token's claim `claim.name` matches one alternative; a claim whose value is a
 * list (groups, amr) passes when any element does. A missing claim never passes.
 */
export function matchClaim(
  claim: CompiledClaim,
  claims: Readonly<Record<string, unknown>>,
): boolean {
  const value = readClaim(claims, claim.name)
  if (value === undefined) return false
  if (Array.isArray(value)) return value.some((element) => matchesValue(claim, element))
  return matchesValue(claim, value)
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))
}

function quoteValue(value: unknown): string {
  return typeof value === 'string' ? quote(value) : redact(value)
}

function hintFor(claim: CompiledClaim, values: readonly unknown[]): Hint | undefined {
  const strings = values.filter((v): v is string => typeof v === 'string')
  if (strings.length === 0) return undefined
  const literals = claim.alternatives.flatMap((a) =>
    'glob' in a && a.glob.literal ? [a.value] : [],
  )
  const closest = findClosest(literals, strings)?.hint
  if (closest !== undefined) return closest
  for (const alternative of claim.alternatives) {
    if (!('glob' in alternative) || alternative.glob.literal) continue
    for (const value of strings) {
      const hint = detectGlobHint(alternative.glob, value)
      if (hint !== undefined) return hint
    }
  }
  return undefined
}

// A string claim against a number, say: the usual YAML slip, worth saying in words.
function typeWords(claim: CompiledClaim, values: readonly unknown[]): string | undefined {
  const wanted = [...new Set(claim.alternatives.map((a) => typeof a.value))]
  const got = [...new Set(values.map((v) => (v === null ? 'null' : typeof v)))]
  if (got.some((type) => wanted.includes(type as (typeof wanted)[number]))) return undefined
  return `the claim is ${got.map(article).join(' or ')}, the policy's value ${wanted.map(article).join(' or ')}`
}

function article(type: string): string {
  return type === 'object' ? 'an object' : `a ${type}`
}

/** Explains why `matchClaim` failed: expected `name=value`, actual `name=value` or `missing`. */
export function explainClaim(
  claim: CompiledClaim,
  claims: Readonly<Record<string, unknown>>,
): Explanation {
  const expectedShown = claim.alternatives.map((a) => `${claim.name}=${show(a.value)}`)
  const expected = expectedShown.length === 1 ? redact(expectedShown[0]) : expectedShown.map(redact)
  const wanted =
    claim.alternatives.length === 1
      ? quoteValue(claim.alternatives[0]?.value)
      : `one of [${claim.alternatives.map((a) => quoteValue(a.value)).join(', ')}]`
  const value = readClaim(claims, claim.name)
  if (value === undefined) {
    return {
      message: `claim ${quote(claim.name)} is missing, expected ${wanted}`,
      expected,
      actual: 'missing',
    }
  }
  const values: readonly unknown[] = Array.isArray(value) ? value : [value]
  const hint = hintFor(claim, values)
  const words = hint === undefined ? typeWords(claim, values) : undefined
  const shownValue = Array.isArray(value) ? quoteList(value) : quoteValue(value)
  return {
    message: `claim ${quote(claim.name)} ${shownValue} does not match ${wanted}${words === undefined ? '' : `: ${words}`}`,
    expected,
    actual: redact(`${claim.name}=${show(value)}`),
    ...(hint === undefined ? {} : { hint }),
  }
}
