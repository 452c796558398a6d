import { redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { originOf } from './token-endpoint.ts'
import type { FetchedToken } from './token-source.ts'

/** Where the token of a successful answer is, and what to name in messages. */
export interface TokenAnswerShape {
  /** `access_token` (RFC 8693) or `token` (Tessera's identity endpoint). */
  readonly tokenField: string
  readonly url: string
  readonly what: string
  /** Epoch seconds when the answer arrived; `expires_in` counts from here. */
  readonly now: number
}

/**
 * Reads the token and its lifetime from a 2xx JSON answer: the token must be a non-empty
 * string and `expires_in` a positive number of seconds. `token_type`, when present, must be
 * `Bearer` or `DPoP` (RFC 6749 §7.1, RFC 9449 §5), case-insensitively.
 * @throws {TesseraError} `upstream_unavailable` naming the field that is wrong (never its token):
 *   such an answer is not a token response
 */
export function readTokenAnswer(
  body: Readonly<Record<string, unknown>>,
  shape: TokenAnswerShape,
): FetchedToken {
  const { tokenField, url, what, now } = shape
  const wrong = (field: string, expected: string, actual: string) =>
    new TesseraError({
      code: 'upstream_unavailable',
      check: 'token_endpoint',
      message: `${what} at ${originOf(url)} answered without a usable ${field}: expected ${expected}`,
      expected,
      actual,
    })
  const token = body[tokenField]
  if (typeof token !== 'string' || token === '' || /\s/.test(token)) {
    throw wrong(tokenField, 'a non-empty string without whitespace', describe(token))
  }
  const tokenType = body.token_type
  if (tokenType !== undefined && !/^(?:bearer|dpop)$/i.test(String(tokenType))) {
    throw wrong('token_type', '"Bearer" or "DPoP"', redact(tokenType))
  }
  const expiresIn = body.expires_in
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    throw wrong('expires_in', 'a positive number of seconds', redact(expiresIn))
  }
  return { token, expiresAt: now + expiresIn }
}

/** The kind of a value, never the value: it may be a token. */
function describe(value: unknown): string {
  if (typeof value === 'string')
    return value === '' ? 'an empty string' : 'a string with whitespace'
  return value === null ? 'null' : typeof value
}
