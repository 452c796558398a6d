import { type Problem, quote } from '@tessera/verify'
import type { TSchema } from 'typebox'
import type { TLocalizedValidationError } from 'typebox/error'
import { Settings } from 'typebox/system'
import { Value } from 'typebox/value'
import { didYouMean } from './did-you-mean.ts'
import { escapeToken, tokensOf } from './json-pointer.ts'
import { secretRefProblem } from './secrets.ts'

/** Most schema errors collected from one document; past it, one problem says there are more. */
export const maxSchemaErrors = 100

type Node = Record<string, unknown>

function childOf(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return /^\d+$/.test(token) ? node[Number(token)] : undefined
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, token)) {
    return (node as Node)[token]
  }
  return undefined
}

/** The value at a JSON pointer (or a `#/…` schema path) inside `root`. */
function at(root: unknown, path: string): unknown {
  return tokensOf(path.replace(/^#/, '')).reduce(childOf, root)
}

const typeWords: Readonly<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  object: 'a mapping (key: value)',
  array: 'a list',
  null: 'empty',
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  if (typeof value === 'string') return `the string ${quote(value)}`
  if (typeof value === 'number') return `the number ${value}`
  return String(value)
}

function unknownKey(path: string, key: string, schemaNode: Node | undefined): Problem {
  const known = Object.keys((schemaNode?.properties ?? {}) as Node)
  const guess = didYouMean(key, known)
  return {
    path,
    message:
      guess === undefined
        ? `is not a known key (known: ${known.join(', ')})`
        : `is not a known key; did you mean ${JSON.stringify(guess)}?`,
  }
}

const algorithmLike = /^(none|HS\d+)$/i

function enumMessage(value: unknown, allowed: readonly unknown[]): string {
  const list = allowed.map((v) => JSON.stringify(v)).join(', ')
  // RFC 8725 §3.1: a forbidden algorithm gets no "did you mean", which would suggest a near name.
  if (typeof value === 'string' && algorithmLike.test(value)) {
    return `${JSON.stringify(value)} is never accepted: only asymmetric algorithms are (RFC 8725), one of ${list}`
  }
  const strings = allowed.filter((v): v is string => typeof v === 'string')
  const guess = typeof value === 'string' ? didYouMean(value, strings) : undefined
  return `must be one of ${list}${guess === undefined ? '' : `; did you mean ${JSON.stringify(guess)}?`}`
}

function limitMessage(error: TLocalizedValidationError, value: unknown): string {
  const { limit } = error.params as { limit: number }
  const got = `, got ${describe(value)}`
  switch (error.keyword) {
    case 'minimum':
      return `must be at least ${limit}${got}`
    case 'maximum':
      return `must be at most ${limit}${got}`
    case 'exclusiveMinimum':
      return `must be greater than ${limit}${got}`
    case 'exclusiveMaximum':
      return `must be less than ${limit}${got}`
    case 'minLength':
      return limit === 1 ? 'must not be empty' : `must be at least ${limit} characters`
    case 'maxLength':
      return `must be at most ${limit} characters`
    case 'minItems':
      return limit === 1 ? 'must not be an empty list' : `must have at least ${limit} items`
    default:
      return `must have at most ${limit} items`
  }
}

function translate(
  error: TLocalizedValidationError,
  schema: TSchema,
  document: unknown,
): Problem[] {
  const path = error.instancePath
  const value = at(document, path)
  const node = at(schema, error.schemaPath) as Node | undefined
  switch (error.keyword) {
    case 'additionalProperties':
      return (error.params as { additionalProperties: string[] }).additionalProperties.map((key) =>
        unknownKey(`${path}/${escapeToken(key)}`, key, node),
      )
    case 'boolean': {
      // `additionalProperties: false` reports each extra key as "schema is false" at the key,
      // before the object's own error; both are translated (and deduplicated) so the cap on
      // errors cannot drop the key names.
      if (!error.schemaPath.endsWith('/additionalProperties'))
        return [{ path, message: error.message }]
      const key = tokensOf(path).at(-1) as string
      return [
        unknownKey(
          path,
          key,
          at(schema, error.schemaPath.slice(0, -'/additionalProperties'.length)) as Node,
        ),
      ]
    }
    case 'required':
      return (error.params as { requiredProperties: string[] }).requiredProperties.map((key) => ({
        path: `${path}/${escapeToken(key)}`,
        message: 'is required',
      }))
    case 'type': {
      const types = [(error.params as { type: string | string[] }).type].flat()
      return [
        {
          path,
          message: `must be ${types.map((t) => typeWords[t] ?? t).join(' or ')}, got ${describe(value)}`,
        },
      ]
    }
    case 'enum':
      return [
        {
          path,
          message: enumMessage(value, (error.params as { allowedValues: unknown[] }).allowedValues),
        },
      ]
    case 'const':
      return [
        {
          path,
          message: `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
        },
      ]
    case 'pattern': {
      const pattern = String((error.params as { pattern: unknown }).pattern)
      // A secret-reference field: say so, without echoing what may be a pasted secret.
      if (pattern.includes('env:') && pattern.includes('file:') && typeof value === 'string') {
        return [{ path, message: secretRefProblem(value) ?? `must match ${pattern}` }]
      }
      return [{ path, message: `must match the pattern ${pattern}` }]
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return [{ path, message: limitMessage(error, value) }]
    case 'uniqueItems':
      return [{ path, message: 'must not repeat an item' }]
    default:
      return [{ path, message: error.message }]
  }
}

// For a union (anyOf), the branches' own errors say little ("must be string", "must be
// array"); when exactly one branch has the value's type, its errors are the useful ones,
// otherwise one message lists what the union accepts.
function collapseUnions(
  errors: readonly TLocalizedValidationError[],
  schema: TSchema,
  document: unknown,
) {
  const kept: TLocalizedValidationError[] = []
  const dropped = new Set<TLocalizedValidationError>()
  for (const union of errors.filter((e) => e.keyword === 'anyOf')) {
    const branches = (at(schema, union.schemaPath) as Node).anyOf as Node[]
    const value = at(document, union.instancePath)
    const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
    const matching = branches.flatMap((b, i) =>
      b.type === kind || (b.type === 'integer' && kind === 'number') ? [i] : [],
    )
    const prefix = `${union.schemaPath}/anyOf/`
    for (const e of errors) {
      if (!e.schemaPath.startsWith(prefix)) continue
      const branch = Number(e.schemaPath.slice(prefix.length).split('/')[0])
      if (matching.length !== 1 || branch !== matching[0]) dropped.add(e)
    }
    if (matching.length === 1) dropped.add(union)
    else (union as { message: string }).message = unionMessage(branches)
  }
  for (const e of errors) if (!dropped.has(e)) kept.push(e)
  return kept
}

// What a schema accepts, in words: a nested union is flattened into its alternatives.
function accepted(schema: Node): string[] {
  if (schema.const !== undefined) return [JSON.stringify(schema.const)]
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Node[]).flatMap(accepted)
  if (schema.type === 'array') {
    const item = typeWords[String((schema.items as Node | undefined)?.type)]
    return [item === undefined ? 'a list' : `a list of ${item.replace(/^an? /, '')}s`]
  }
  return [typeWords[String(schema.type)] ?? 'a value']
}

function unionMessage(branches: readonly Node[]): string {
  const words = [...new Set(branches.flatMap(accepted))]
  const last = words.pop() as string
  return `must be ${words.length === 0 ? last : `${words.join(', ')} or ${last}`}`
}

/**
 * Validates `document` against `schema` and returns every error as a problem with a JSON
 * pointer and a message for people: unknown keys with a "did you mean", missing keys at their
 * own path, enum values with the allowed list. At most `maxSchemaErrors` are collected.
 */
export function schemaProblems(schema: TSchema, document: unknown): Problem[] {
  // TypeBox keeps its error cap in a global setting (default 8); raise it for this call only.
  const saved = Settings.Get().maxErrors
  let errors: TLocalizedValidationError[]
  try {
    Settings.Set({ maxErrors: maxSchemaErrors })
    errors = Value.Errors(schema, document)
  } finally {
    Settings.Set({ maxErrors: saved })
  }
  const problems: Problem[] = []
  const seen = new Set<string>()
  for (const error of collapseUnions(errors, schema, document)) {
    for (const problem of translate(error, schema, document)) {
      const key = `${problem.path}\n${problem.message}`
      if (seen.has(key)) continue
      seen.add(key)
      problems.push(problem)
    }
  }
  if (errors.length >= maxSchemaErrors) {
    problems.push({
      path: '',
      message: `more problems may follow: only the first ${maxSchemaErrors} schema errors are listed`,
    })
  }
  return problems
}
