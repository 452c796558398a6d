import { type Problem, TesseraError } from '@tessera/verify'

/**
 * Reading the JSON the clouds' CLIs print. Every problem of a file is collected, then one
 * `invalid_config` error lists them all, so a user fixes the file in one pass.
 */
export class ConfigReader {
  readonly #what: string
  readonly #problems: Problem[] = []

  /** `what` names the file in messages, e.g. `AWS OIDC provider file "provider.json"`. */
  constructor(what: string) {
    this.#what = what
  }

  /** Records a problem at a JSON path. */
  problem(path: string, message: string): void {
    this.#problems.push({ path, message })
  }

  /** Parses JSON text into an object, or records why it cannot. */
  object(text: string): Record<string, unknown> | undefined {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      this.problem('', `not JSON: ${(error as Error).message}`)
      return undefined
    }
    if (!isObject(parsed)) {
      this.problem('', 'expected a JSON object')
      return undefined
    }
    return parsed
  }

  /** A required (or, with `optional`, absent-allowed) string member. */
  string(
    from: Record<string, unknown>,
    key: string,
    path: string,
    optional = false,
  ): string | undefined {
    const value = from[key]
    if (value === undefined && optional) return undefined
    if (typeof value !== 'string' || value === '') {
      this.problem(path, `expected a non-empty string, got ${describe(value)}`)
      return undefined
    }
    return value
  }

  /** A list of strings; absent gives `[]` when `optional`. */
  strings(
    from: Record<string, unknown>,
    key: string,
    path: string,
    optional = false,
  ): string[] | undefined {
    const value = from[key]
    if (value === undefined && optional) return []
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      this.problem(path, `expected a list of strings, got ${describe(value)}`)
      return undefined
    }
    return value as string[]
  }

  /** Throws the collected problems as one `invalid_config` error; returns when there are none. */
  done(): void {
    const [first] = this.#problems
    if (first === undefined) return
    throw new TesseraError({
      code: 'invalid_config',
      message: `${this.#what} is invalid: ${first.path === '' ? '' : `${first.path}: `}${first.message}${this.#problems.length > 1 ? ` (and ${this.#problems.length - 1} more)` : ''}`,
      problems: this.#problems,
    })
  }
}

/** True for a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  return `${typeof value === 'object' ? 'an' : 'a'} ${typeof value}`
}

/** The token's `aud` as a list (RFC 7519 §4.1.3 allows a string or an array). */
export function audiences(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string')
  return []
}
