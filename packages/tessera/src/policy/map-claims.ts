import { detectHint, quote } from '@tessera/verify'
import { readClaim } from './match/claim-path.ts'

/**
 * Output templates (`output.subject`, `output.claims.*`): text with placeholders `{trustDomain}`,
 * `{sub}`, `{iss}` and `{claims.NAME}` (NAME: letters, digits, `_`, `.`, `-`; a dotted NAME is
 * read as `readClaim` reads it). Braces are reserved: every `{` must open a known placeholder.
 */

const claimName = /^claims\.([A-Za-z0-9_.-]+)$/
const fixedPlaceholders = ['trustDomain', 'sub', 'iss'] as const

/** One piece of a template. */
export type TemplatePart =
  | { readonly literal: string }
  | { readonly placeholder: (typeof fixedPlaceholders)[number] }
  | { readonly claim: string }

/** A template parsed once. */
export interface Template {
  readonly source: string
  readonly parts: readonly TemplatePart[]
}

/** The outcome of parsing a template: the template, or every problem in it. */
export type TemplateCompilation =
  | { readonly template: Template }
  | { readonly problems: readonly string[] }

/** What placeholders are filled from. */
export interface TemplateValues {
  readonly trustDomain: string
  readonly issuer: string
  readonly claims: Readonly<Record<string, unknown>>
}

/** A rendered template, or the claim that could not fill its placeholder. */
export type Rendering =
  | { readonly value: string }
  | { readonly claim: string; readonly placeholder: string; readonly found: unknown }

const allowedWords = '{trustDomain}, {sub}, {iss}, {claims.NAME}'

function unknownPlaceholder(inner: string): string {
  const near = fixedPlaceholders
    .map((name) => ({ name, hint: detectHint(name, inner) }))
    .find((candidate) => candidate.hint !== undefined)
  const suggestion = near === undefined ? '' : `: did you mean {${near.name}}?`
  return `unknown placeholder ${quote(`{${inner}}`)}, allowed: ${allowedWords}${suggestion}`
}

function parsePlaceholder(inner: string): TemplatePart | undefined {
  if ((fixedPlaceholders as readonly string[]).includes(inner)) {
    return { placeholder: inner as (typeof fixedPlaceholders)[number] }
  }
  const claim = claimName.exec(inner)?.[1]
  return claim === undefined ? undefined : { claim }
}

/** Parses a template once, reporting every unknown placeholder and stray brace. */
export function compileTemplate(source: string): TemplateCompilation {
  const parts: TemplatePart[] = []
  const problems: string[] = []
  let text = ''
  let i = 0
  while (i < source.length) {
    const char = source[i] as string
    if (char === '}') {
      problems.push(`"}" at offset ${i} closes no placeholder`)
      i++
      continue
    }
    if (char !== '{') {
      text += char
      i++
      continue
    }
    const end = source.indexOf('}', i + 1)
    const nextOpen = source.indexOf('{', i + 1)
    if (end === -1 || (nextOpen !== -1 && nextOpen < end)) {
      problems.push(`"{" at offset ${i} is not closed`)
      i++
      continue
    }
    const inner = source.slice(i + 1, end)
    const part = parsePlaceholder(inner)
    if (part === undefined) problems.push(unknownPlaceholder(inner))
    else {
      if (text !== '') parts.push({ literal: text })
      text = ''
      parts.push(part)
    }
    i = end + 1
  }
  if (text !== '') parts.push({ literal: text })
  if (problems.length > 0) return { problems }
  return { template: Object.freeze({ source, parts: Object.freeze(parts) }) }
}

function fill(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') {
    return String(value)
  }
  return undefined
}

/**
 * Renders a template. A placeholder whose claim is missing, or is not a string, finite number
 * or boolean, fails the rendering and names the claim (`sub` for `{sub}`).
 */
export function renderTemplate(template: Template, values: TemplateValues): Rendering {
  let out = ''
  for (const part of template.parts) {
    if ('literal' in part) {
      out += part.literal
      continue
    }
    if ('placeholder' in part) {
      if (part.placeholder === 'trustDomain') out += values.trustDomain
      else if (part.placeholder === 'iss') out += values.issuer
      else {
        const sub = values.claims.sub
        if (typeof sub !== 'string') return { claim: 'sub', placeholder: '{sub}', found: sub }
        out += sub
      }
      continue
    }
    const found = readClaim(values.claims, part.claim)
    const filled = fill(found)
    if (filled === undefined) {
      return { claim: part.claim, placeholder: `{claims.${part.claim}}`, found }
    }
    out += filled
  }
  return { value: out }
}
