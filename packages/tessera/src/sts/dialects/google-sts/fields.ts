import { quote, redact, TesseraError } from '@tessera/verify'

/** A request body read as single string fields: each named at most once, empty = absent. */
export interface Fields {
  get(name: string): string | undefined
}

/**
 * Reads a Google request body — a form (`URLSearchParams`, snake_case as google-auth-library
 * sends it) or a JSON object (camelCase as the REST reference spells it; proto JSON also takes
 * snake_case) — by snake_case name. A field sent twice, under either spelling, or as anything
 * but a string is refused.
 *
 * @throws {TesseraError} `invalid_request` naming the field
 */
export function readFields(body: unknown): Fields {
  if (
    !(body instanceof URLSearchParams) &&
    (typeof body !== 'object' || body === null || Array.isArray(body))
  ) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: 'the request has no body: send the fields form-encoded or as a JSON object',
      expected: 'a form or a JSON object',
      actual: body === undefined ? 'missing' : redact(body),
    })
  }
  const values = new Map<string, string>()
  const entries: Iterable<[string, unknown]> =
    body instanceof URLSearchParams ? body.entries() : Object.entries(body)
  for (const [written, value] of entries) {
    const name = written.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    if (values.has(name)) {
      throw new TesseraError({
        code: 'invalid_request',
        message: `${quote(name)} is sent more than once`,
        expected: `${redact(name)} once`,
        actual: `${redact(name)} more than once`,
      })
    }
    if (typeof value !== 'string') {
      throw new TesseraError({
        code: 'invalid_request',
        message: `${redact(written)} is ${value === null ? 'null' : typeof value}, expected a string`,
        expected: `${redact(written)} as a string`,
        actual: redact(value),
      })
    }
    values.set(name, value)
  }
  return {
    get: (name) => {
      const value = values.get(name)
      return value === '' ? undefined : value
    },
  }
}
