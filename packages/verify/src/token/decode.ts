import { quote } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { decodeStrictBase64url } from './base64url.ts'
import { maxHeaderBytes } from './limits.ts'
import type { DecodedJws, DecodedJwt, JwsHeader, JwtClaims } from './types.ts'

// fatal: invalid UTF-8 is an error, not silently replaced with U+FFFD (RFC 7515 §5.2 step 4).
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

function malformed(message: string, check = 'decode', hint?: 'whitespace'): TesseraError {
  return new TesseraError({ code: 'malformed', check, message, ...(hint ? { hint } : {}) })
}

function describeShape(token: string): TesseraError {
  if (/^\s|\s$/.test(token)) {
    return malformed(
      'token has leading or trailing whitespace: pass the token exactly as issued',
      'decode',
      'whitespace',
    )
  }
  if (/^(bearer|dpop)\s/i.test(token)) {
    return malformed('token starts with an authorization scheme: pass the token without "Bearer "')
  }
  if (/^["']/.test(token)) return malformed('token is quoted: pass the token without quotes')
  const segments = token.split('.').length
  if (segments === 5)
    return malformed('token is a JWE (5 segments): encrypted tokens are not accepted')
  return malformed(
    `token has ${segments} segment${segments === 1 ? '' : 's'}, expected 3 (header.payload.signature)`,
  )
}

function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let text: string
  try {
    text = utf8.decode(bytes)
  } catch (cause) {
    throw new TesseraError({ code: 'malformed', message: `${what} is not valid UTF-8`, cause })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    throw new TesseraError({ code: 'malformed', message: `${what} is not valid JSON`, cause })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(
      `${what} is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, expected a JSON object`,
    )
  }
  return value as Record<string, unknown>
}

/** The JSON type of a parsed value: null and array are named as such, not as object. */
function jsonType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value
}

function article(type: string): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`
}

function checkHeaderShape(header: Record<string, unknown>): JwsHeader {
  if (typeof header.alg !== 'string' || header.alg === '') {
    throw new TesseraError({
      code: 'malformed',
      check: 'header',
      message: `header alg is ${header.alg === undefined ? 'missing' : quote(header.alg)}, expected a non-empty string`,
      expected: 'string',
      actual: header.alg === undefined ? 'missing' : typeof header.alg,
    })
  }
  for (const name of ['kid', 'typ', 'cty'] as const) {
    if (header[name] !== undefined && typeof header[name] !== 'string') {
      throw new TesseraError({
        code: 'malformed',
        check: 'header',
        message: `header ${name} is ${article(jsonType(header[name]))}, expected a string`,
        expected: 'string',
        actual: jsonType(header[name]),
      })
    }
  }
  return header as JwsHeader
}

/**
 * Splits a compact JWS and decodes its header, payload and signature strictly: exactly three
 * segments, canonical base64url, a UTF-8 JSON object header with a string `alg`.
 * @throws {TesseraError} `too_large`, `malformed`
 */
export function decodeJws(token: unknown, maxTokenBytes: number): DecodedJws {
  if (typeof token !== 'string') {
    throw malformed(`token is ${article(jsonType(token))}, expected a string`)
  }
  if (token.length > maxTokenBytes) {
    throw new TesseraError({
      code: 'too_large',
      message: `token is ${token.length} bytes, more than the limit of ${maxTokenBytes}`,
      expected: `<= ${maxTokenBytes} bytes`,
      actual: `${token.length} bytes`,
    })
  }
  const first = token.indexOf('.')
  const second = first === -1 ? -1 : token.indexOf('.', first + 1)
  if (first === -1 || second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw describeShape(token)
  }
  if (first === 0) throw malformed('token header segment is empty')
  const headerBytes = Math.floor((first * 3) / 4)
  if (headerBytes > maxHeaderBytes) {
    throw new TesseraError({
      code: 'too_large',
      check: 'header',
      message: `header is ${headerBytes} bytes, more than the limit of ${maxHeaderBytes}`,
      expected: `<= ${maxHeaderBytes} bytes`,
      actual: `${headerBytes} bytes`,
    })
  }
  const headerSegment = decodeStrictBase64url(token.slice(0, first))
  if (headerSegment === undefined) throw invalidSegment(token, 'header')
  const payload = decodeStrictBase64url(token.slice(first + 1, second))
  if (payload === undefined) throw invalidSegment(token, 'payload')
  const signature = decodeStrictBase64url(token.slice(second + 1))
  if (signature === undefined) throw invalidSegment(token, 'signature')
  const header = checkHeaderShape(parseJsonObject(headerSegment, 'header'))
  // An unsigned token (alg "none", RFC 7515 A.5) has an empty signature segment; let it reach
  // the algorithm check, which names the real reason. Any other alg needs a signature.
  if (signature.length === 0 && header.alg.toLowerCase() !== 'none') {
    throw malformed(`token signature segment is empty, but alg is ${quote(header.alg)}`)
  }
  return { header, payload, signingInput: token.slice(0, second), signature }
}

function invalidSegment(token: string, segment: string): TesseraError {
  if (/^(bearer|dpop)\s/i.test(token) || /^["']/.test(token)) return describeShape(token)
  if (/\s/.test(token)) {
    return malformed(
      `token ${segment} contains whitespace: pass the token exactly as issued`,
      'decode',
      'whitespace',
    )
  }
  return malformed(
    `token ${segment} is not canonical base64url (RFC 7515 §2: no padding, "+" or "/")`,
  )
}

function wrongType(claim: string, expected: string, value: unknown): TesseraError {
  const actual = jsonType(value)
  return new TesseraError({
    code: 'missing_claim',
    check: 'claims',
    message: `${claim} is ${article(actual)}, expected ${expected}`,
    expected,
    actual,
  })
}

/**
 * Decodes a compact JWS whose payload must be a JSON object of JWT claims, and checks the JSON
 * types of the registered claims (RFC 7519 §4.1).
 * @throws {TesseraError} `too_large`, `malformed`, `missing_claim`
 */
export function decodeJwt(token: unknown, maxTokenBytes: number): DecodedJwt {
  const jws = decodeJws(token, maxTokenBytes)
  const claims = parseJsonObject(jws.payload, 'payload')
  // Direct reads, no loops over claim names: this runs for every token.
  const { exp, nbf, iat, iss, sub, jti, aud } = claims
  if (exp !== undefined && !isNumericDate(exp)) throw wrongType('exp', numericDate, exp)
  if (nbf !== undefined && !isNumericDate(nbf)) throw wrongType('nbf', numericDate, nbf)
  if (iat !== undefined && !isNumericDate(iat)) throw wrongType('iat', numericDate, iat)
  if (iss !== undefined && typeof iss !== 'string') throw wrongType('iss', 'a string', iss)
  if (sub !== undefined && typeof sub !== 'string') throw wrongType('sub', 'a string', sub)
  if (jti !== undefined && typeof jti !== 'string') throw wrongType('jti', 'a string', jti)
  if (aud !== undefined && typeof aud !== 'string' && !isStringArray(aud)) {
    throw wrongType('aud', 'a string or an array of strings', aud)
  }
  return {
    header: jws.header,
    payload: jws.payload,
    signingInput: jws.signingInput,
    signature: jws.signature,
    claims: claims as JwtClaims,
  }
}

const numericDate = 'a NumericDate (number of seconds)'

function isNumericDate(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value)
}

function isStringArray(value: unknown): boolean {
  if (!Array.isArray(value)) return false
  for (const v of value) if (typeof v !== 'string') return false
  return true
}
