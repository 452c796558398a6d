import { type Problem, TesseraError } from '../explain/tessera-error.ts'

/** Adds a problem unless `value` is an absolute http(s) URL. */
export function checkAbsoluteUrl(problems: Problem[], path: string, value: unknown): void {
  let ok = false
  if (typeof value === 'string') {
    try {
      const protocol = new URL(value).protocol
      ok = protocol === 'https:' || protocol === 'http:'
    } catch {
      ok = false
    }
  }
  if (!ok) problems.push({ path, message: 'must be an absolute http(s) URL' })
}

/** Adds a problem unless `value` is a function (or absent when not `required`). */
export function checkFunction(
  problems: Problem[],
  path: string,
  value: unknown,
  required: boolean,
): void {
  if (value === undefined ? required : typeof value !== 'function')
    problems.push({ path, message: required ? 'is required: a function' : 'must be a function' })
}

/** Adds a problem unless `value` is a non-empty string (or absent when not `required`). */
export function checkNonEmptyString(
  problems: Problem[],
  path: string,
  value: unknown,
  required: boolean,
): void {
  if (value === undefined ? required : typeof value !== 'string' || value === '')
    problems.push({ path, message: 'must be a non-empty string' })
}

/** Adds a problem unless `value` is absent or a positive whole number. */
export function checkLimit(problems: Problem[], path: string, value: unknown): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0))
    problems.push({ path, message: 'must be a positive whole number' })
}

/** Throws `invalid_options` naming `factory` and every problem, when there is any. */
export function throwProblems(factory: string, problems: readonly Problem[]): void {
  if (problems.length === 0) return
  throw new TesseraError({
    code: 'invalid_options',
    message: `${factory} options are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
    problems,
  })
}
