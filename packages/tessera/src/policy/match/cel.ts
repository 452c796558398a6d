import { type ASTNode, Environment, type ParseResult } from '@marcbachmann/cel-js'

/**
 * CEL conditions: compiled once at configuration load, evaluated per request over
 * `{ claims, header, request: { target, scopes } }`.
 *
 * Evaluation work is bounded before any token is seen:
 * - the expression is at most `maxExpressionChars` long and parses into at most
 *   `celLimits.maxAstNodes` nodes, nested at most `celLimits.maxDepth` deep;
 * - comprehension macros (`all`, `exists`, `exists_one`, `map`, `filter`) may not nest, so each
 *   walks a list from the token once per evaluation of its enclosing expression;
 * - `matches()` is refused: its regular expression runs on V8's backtracking engine over token
 *   values, where one careless pattern is exponential (use a glob in `claims`, or `startsWith`,
 *   `endsWith`, `contains`);
 * - the data is the verified token, whose size `@tessera/verify` caps (16 KiB by default).
 * The worst case is therefore about (AST nodes × token bytes²), for an `in` over a token list
 * inside a comprehension over another — milliseconds, never unbounded.
 */

/** Longest condition expression accepted, in characters. */
export const maxExpressionChars = 4096

/** Parse-time limits handed to cel-js. */
export const celLimits = Object.freeze({
  maxAstNodes: 256,
  maxDepth: 32,
  maxListElements: 64,
  maxMapEntries: 64,
  maxCallArguments: 8,
})

const comprehensions = new Set(['all', 'exists', 'exists_one', 'map', 'filter'])

// One environment for every condition: building one is the expensive part of cel-js.
const environment = new Environment({ enableOptionalTypes: true, limits: celLimits })
  .registerVariable('claims', 'map')
  .registerVariable('header', 'map')
  .registerVariable('request', 'map')

/** A condition compiled once: the author's message and the parsed, type-checked program. */
export interface CompiledCondition {
  readonly expression: string
  readonly message: string
  readonly program: ParseResult
}

/** The outcome of compiling a condition: the program, or why it cannot be used. */
export type ConditionCompilation =
  | { readonly condition: CompiledCondition }
  | { readonly problem: string }

/** What a condition sees of the request. */
export interface ConditionInput {
  readonly claims: Readonly<Record<string, unknown>>
  readonly header: Readonly<Record<string, unknown>>
  readonly request: { readonly target: string | null; readonly scopes: readonly string[] }
}

/**
 * A condition's verdict: passed, or the shown outcome (`false`, `error: <class> <code>`,
 * `not a bool: <type>`) with, unless it was plain `false`, the words saying what happened.
 */
export type ConditionOutcome =
  | { readonly passed: true }
  | { readonly passed: false; readonly actual: string; readonly reason?: string }

// Where in the expression a cel-js error points, for the problem message.
function at(error: unknown): string {
  const start = (error as { range?: { start?: unknown } }).range?.start
  return typeof start === 'number' ? ` (at offset ${start})` : ''
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message.split('\n')[0] ?? message
}

function* children(value: unknown): Generator<ASTNode> {
  if (Array.isArray(value)) {
    for (const item of value) yield* children(item)
  } else if (value !== null && typeof value === 'object' && 'op' in value) {
    yield value as ASTNode
  }
}

// Returns the first bound the AST breaks, walking it once.
function checkBounds(node: ASTNode, inside: boolean): string | undefined {
  if (node.op === 'call' || node.op === 'rcall') {
    const name = node.args[0]
    if (name === 'matches') {
      return 'matches() is not allowed: its regular expression backtracks without bound on token values; use a glob in claims, or startsWith, endsWith, contains'
    }
    if (node.op === 'rcall' && comprehensions.has(name)) {
      if (inside) {
        return `${name}() inside another comprehension is not allowed: nested loops over token lists are unbounded work`
      }
      const [, receiver, args] = node.args
      const receiverProblem = checkBounds(receiver, inside)
      if (receiverProblem !== undefined) return receiverProblem
      for (const arg of args) {
        const problem = checkBounds(arg, true)
        if (problem !== undefined) return problem
      }
      return undefined
    }
  }
  for (const child of children(node.args)) {
    const problem = checkBounds(child, inside)
    if (problem !== undefined) return problem
  }
  return undefined
}

/**
 * Parses and type-checks a condition once. The result type must be `bool` (or `dyn`, checked
 * again on every evaluation); problems are phrased for `invalid_config`.
 */
export function compileCondition(condition: {
  readonly expression: string
  readonly message: string
}): ConditionCompilation {
  const { expression, message } = condition
  if (expression.length > maxExpressionChars) {
    return {
      problem: `CEL expression is ${expression.length} characters long, at most ${maxExpressionChars} are allowed`,
    }
  }
  let program: ParseResult
  try {
    program = environment.parse(expression)
  } catch (error) {
    return { problem: `CEL expression does not parse: ${firstLine(error)}${at(error)}` }
  }
  // Bounds before types: "not allowed" is the more useful answer for matches(), in any form.
  const bound = checkBounds(program.ast, false)
  if (bound !== undefined) return { problem: bound }
  const checked = program.check()
  if (!checked.valid) {
    return {
      problem: `CEL expression does not type-check: ${firstLine(checked.error)}${at(checked.error)}`,
    }
  }
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    return {
      problem: `CEL expression evaluates to ${checked.type}, a condition must evaluate to bool`,
    }
  }
  return { condition: Object.freeze({ expression, message, program }) }
}

/**
 * Evaluates a compiled condition. Only the boolean `true` passes; `false`, any other value and
 * any evaluation error (a missing key, a type mismatch at run time, even a stack overflow)
 * fail — named by the error's class and code, never thrown, never the value that caused it.
 */
export function evaluateCondition(
  condition: CompiledCondition,
  input: ConditionInput,
): ConditionOutcome {
  let result: unknown
  try {
    result = condition.program(input)
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error
    const code = (error as { code?: unknown } | null)?.code
    const described = typeof code === 'string' ? `${name} ${code}` : name
    return {
      passed: false,
      actual: `error: ${described}`,
      reason: `the condition could not be evaluated (${described})`,
    }
  }
  if (result === true) return { passed: true }
  if (result === false) return { passed: false, actual: 'false' }
  // CEL names: ints are bigints in cel-js, doubles are numbers.
  const type =
    result === null
      ? 'null'
      : typeof result === 'bigint'
        ? 'int'
        : typeof result === 'number'
          ? 'double'
          : typeof result
  return {
    passed: false,
    actual: `not a bool: ${type}`,
    reason: `the condition returned ${/^[aeio]/.test(type) ? 'an' : 'a'} ${type}, not a bool`,
  }
}
