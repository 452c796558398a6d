import { Environment, type ParseResult } from '@marcbachmann/cel-js'

/**
 * CEL as Google's workload identity providers use it: attribute mappings over `assertion`,
 * the attribute condition over `assertion`, `google` and `attribute`.
 *
 * cel-js reserves the identifier `google` (for `google.protobuf.*` type names), so expressions
 * are read with that identifier renamed outside string literals. Work is bounded by the parse
 * limits below and by the expression lengths Google itself allows (2048 characters for a
 * mapping, 4096 for the condition); the data is one decoded token.
 */

const googleVariable = 'tessera_google'

const environment = new Environment({
  limits: {
    maxAstNodes: 512,
    maxDepth: 32,
    maxListElements: 64,
    maxMapEntries: 64,
    maxCallArguments: 8,
  },
})
  .registerVariable('assertion', 'map')
  .registerVariable(googleVariable, 'map')
  .registerVariable('attribute', 'map')

/** A parsed expression and its source text. */
export interface CelProgram {
  readonly expression: string
  readonly run: ParseResult
}

/** What a provider's expressions see. */
export interface CelInput {
  readonly assertion: Readonly<Record<string, unknown>>
  readonly google?: Readonly<Record<string, unknown>>
  readonly attribute?: Readonly<Record<string, unknown>>
}

// Renames the identifier `google` (not `x.google`, not `googled`, not inside a string).
function renameGoogle(expression: string): string {
  let out = ''
  let i = 0
  while (i < expression.length) {
    const c = expression[i] as string
    if (c === '"' || c === "'") {
      const end = stringEnd(expression, i)
      out += expression.slice(i, end)
      i = end
      continue
    }
    if (
      expression.startsWith('google', i) &&
      !/[\w.]/.test(expression[i - 1] ?? '') &&
      !/\w/.test(expression[i + 6] ?? '')
    ) {
      out += googleVariable
      i += 6
      continue
    }
    out += c
    i++
  }
  return out
}

// The index just past the string literal that starts at `start` (handles \ escapes and
// triple quotes; an unterminated literal runs to the end and the parser reports it).
function stringEnd(text: string, start: number): number {
  const quote = text[start] as string
  const triple = text.startsWith(quote.repeat(3), start)
  const close = triple ? quote.repeat(3) : quote
  let i = start + close.length
  while (i < text.length) {
    if (text[i] === '\\') i += 2
    else if (text.startsWith(close, i)) return i + close.length
    else i++
  }
  return text.length
}

/** Parses an expression, or says why it cannot be parsed. */
export function compileCel(expression: string): CelProgram | { readonly problem: string } {
  try {
    return { expression, run: environment.parse(renameGoogle(expression)) }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { problem: `CEL expression does not parse: ${message.split('\n')[0]}` }
  }
}

/** Runs a program: its value, or the error class and code that stopped it (never thrown). */
export function runCel(
  program: CelProgram,
  input: CelInput,
): { readonly value: unknown } | { readonly error: string } {
  try {
    return {
      value: program.run({
        assertion: input.assertion,
        [googleVariable]: input.google ?? {},
        attribute: input.attribute ?? {},
      }),
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error
    const code = (error as { code?: unknown } | null)?.code
    const message = error instanceof Error ? `: ${error.message.split('\n')[0]}` : ''
    return { error: `${name}${typeof code === 'string' ? ` ${code}` : ''}${message}` }
  }
}

/**
 * Splits an expression at its top-level `&&` (outside parentheses, brackets, braces and
 * strings), so a failed condition can be traced to the conjunct that is false.
 */
export function conjuncts(expression: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  let i = 0
  while (i < expression.length) {
    const c = expression[i] as string
    if (c === '"' || c === "'") {
      i = stringEnd(expression, i)
      continue
    }
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (depth === 0 && expression.startsWith('&&', i)) {
      parts.push(expression.slice(start, i).trim())
      start = i + 2
      i += 2
      continue
    }
    i++
  }
  parts.push(expression.slice(start).trim())
  return parts
}

/**
 * Reads `<expression> == '<literal>'` (either side), the shape most conditions are made of,
 * so the doctor can compare the literal with the token's value for a near miss.
 */
export function equalityOf(
  clause: string,
): { readonly operand: string; readonly literal: string } | undefined {
  const right = /^(.+?)\s*==\s*(['"])((?:(?!\2)[^\\])*)\2$/.exec(clause)
  if (right) return { operand: (right[1] as string).trim(), literal: right[3] as string }
  const left = /^(['"])((?:(?!\1)[^\\])*)\1\s*==\s*(.+)$/.exec(clause)
  if (left) return { operand: (left[3] as string).trim(), literal: left[2] as string }
  return undefined
}
