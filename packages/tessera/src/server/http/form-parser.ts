import { TesseraError } from '@tessera/verify'

// A `%` not followed by two hex digits: URLSearchParams would keep it literally, so a
// mangled token would reach the verifier looking like a different token.
const badEscape = /%(?![0-9A-Fa-f]{2})/
// An escape of a byte above 0x7f: only these can make a body that is not valid UTF-8.
const highEscape = /%[89A-Fa-f][0-9A-Fa-f]/

/**
 * Parses an `application/x-www-form-urlencoded` body (WHATWG URL §5.1, `+` is a space),
 * refusing what URLSearchParams would silently repair: malformed percent-escapes and escapes
 * that do not decode to UTF-8.
 * @throws {TesseraError} `invalid_request`
 */
export function parseForm(body: string): URLSearchParams {
  if (badEscape.test(body)) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: 'form body has a malformed percent-escape: expected % followed by two hex digits',
    })
  }
  try {
    // Only to detect invalid UTF-8 in the escapes; the parsing itself is URLSearchParams'.
    // Skipped when every escape is ASCII (a token, a URL, a grant type): decoding a whole
    // body to throw it away costs more than the scan.
    if (highEscape.test(body)) decodeURIComponent(body.replaceAll('+', ' '))
  } catch {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: 'form body has percent-escapes that are not valid UTF-8',
    })
  }
  return new URLSearchParams(body)
}
