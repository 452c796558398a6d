import { quote, redact, TesseraError } from '@tessera/verify'
import type { AuditQuery } from '../../sts/index.ts'

const stringFields = ['decision', 'kind', 'code', 'policy', 'correlationId', 'before'] as const
const numberFields = ['since', 'limit'] as const
const known = new Set<string>([...stringFields, ...numberFields])

// Bounds what one parameter can make the store compare against; real values are far shorter.
const maxValueLength = 256

/**
 * Turns the query string of `GET /v1/audit` into an `AuditQuery`: strings stay strings,
 * `since` and `limit` become integers. Unknown and repeated parameters are refused (a typo
 * must not widen the result); the values' own ranges are checked by the store.
 * @throws {TesseraError} `invalid_request`
 */
export function parseAuditQuery(query: unknown): AuditQuery {
  const params = (typeof query === 'object' && query !== null ? query : {}) as Record<
    string,
    unknown
  >
  const result: Record<string, string | number> = {}
  for (const [name, value] of Object.entries(params)) {
    if (!known.has(name)) {
      throw invalid(`unknown parameter ${quote(name)}: expected one of ${[...known].join(', ')}`)
    }
    if (typeof value !== 'string') throw invalid(`parameter ${name} is given more than once`)
    if (value.length > maxValueLength)
      throw invalid(`parameter ${name} is longer than ${maxValueLength} characters`)
    if ((numberFields as readonly string[]).includes(name)) {
      if (!/^\d{1,15}$/.test(value)) {
        throw new TesseraError({
          code: 'invalid_request',
          check: 'request',
          message: `parameter ${name} ${quote(value)} is not a whole number`,
          expected: 'a whole number',
          actual: redact(value),
        })
      }
      result[name] = Number(value)
    } else {
      result[name] = value
    }
  }
  return result as AuditQuery
}

function invalid(message: string): TesseraError {
  return new TesseraError({ code: 'invalid_request', check: 'request', message })
}
