import { quote, redact, TesseraError } from '@tessera/verify'

/** A form body as a reader of single parameters: each name at most once, empty = absent. */
export interface Form {
  /** The parameter's value, or undefined when absent or sent empty (RFC 6749 §3.1). */
  get(name: string): string | undefined
}

/**
 * Reads a form body — a `URLSearchParams` or the object a body parser made of it (a repeated
 * name as an array) — refusing any parameter sent more than once (RFC 6749 §3.2) and any
 * value that is not a string.
 *
 * @throws {TesseraError} `invalid_request` naming the parameter
 */
export function readForm(body: URLSearchParams | Readonly<Record<string, unknown>>): Form {
  const values = new Map<string, string>()
  const entries: Iterable<[string, unknown]> =
    body instanceof URLSearchParams ? body.entries() : Object.entries(body)
  for (const [name, raw] of entries) {
    const value = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw
    if (values.has(name) || Array.isArray(value)) throw repeated(name)
    if (typeof value !== 'string') {
      throw new TesseraError({
        code: 'invalid_request',
        message: `${name} is ${value === null ? 'null' : typeof value}, expected a string`,
        expected: `${name} as a string`,
        actual: redact(value),
      })
    }
    values.set(name, value)
  }
  return {
    // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
    get: (name) => {
      const value = values.get(name)
      return value === '' ? undefined : value
    },
  }
}

function repeated(name: string): TesseraError {
  return new TesseraError({
    code: 'invalid_request',
    message: `${quote(name)} is sent more than once: each parameter may appear once (RFC 6749 §3.2)`,
    expected: `${redact(name)} once`,
    actual: `${redact(name)} more than once`,
  })
}
