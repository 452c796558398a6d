import { detectHint } from '../explain/hints/detect-hint.ts'
import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { fetchJson } from './bounded-fetch.ts'

/** The members of an OpenID Provider configuration Tessera reads; the rest are kept as they are. */
export interface DiscoveryDocument {
  readonly issuer: string
  readonly jwks_uri: string
  readonly [member: string]: unknown
}

/** How `fetchDiscovery` bounds the request. */
export interface FetchDiscoveryOptions {
  /** Deadline for the whole request, in milliseconds. */
  readonly timeoutMs: number
  /** Largest document accepted, in bytes. */
  readonly maxBytes: number
}

const wellKnownPath = '/.well-known/openid-configuration'

/**
 * The discovery document URL of an issuer. OIDC Discovery 1.0 §4: a terminating `/` of the
 * issuer is removed before `/.well-known/openid-configuration` is appended.
 */
export function discoveryUrl(issuer: string): string {
  return `${issuer.endsWith('/') ? issuer.slice(0, -1) : issuer}${wellKnownPath}`
}

/**
 * Fetches an issuer's discovery document and checks that it speaks for that issuer.
 * @throws {TesseraError} `discovery_mismatch` when the document's issuer is not exactly
 *   `issuer`; `jwks_unavailable` when the document cannot be fetched, is not a JSON object
 *   or has no usable `jwks_uri`
 */
export async function fetchDiscovery(
  issuer: string,
  options: FetchDiscoveryOptions,
): Promise<DiscoveryDocument> {
  const url = discoveryUrl(issuer)
  const { body } = await fetchJson(url, { ...options, what: 'discovery document' })
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new TesseraError({
      code: 'jwks_unavailable',
      message: `discovery document ${quote(url)} is not a JSON object`,
      expected: 'a JSON object',
      actual: jsonType(body),
    })
  }
  const document = body as Record<string, unknown>
  const actual = document.issuer
  // OIDC Discovery 1.0 §4.3: the issuer in the document MUST be identical to the issuer the
  // document was fetched for; otherwise another issuer could vouch for these keys.
  if (actual !== issuer) {
    if (typeof actual !== 'string') {
      throw new TesseraError({
        code: 'discovery_mismatch',
        message: `discovery document ${quote(url)} has no issuer string: expected the configured issuer ${quote(issuer)}`,
        expected: redact(issuer),
        actual: jsonType(actual),
      })
    }
    const hint = detectHint(issuer, actual)
    throw new TesseraError({
      code: 'discovery_mismatch',
      message: `discovery document issuer ${quote(actual)} is not the configured issuer ${quote(issuer)}${hint === undefined ? '' : `: ${hint.words}`}`,
      expected: redact(issuer),
      actual: redact(actual),
      ...(hint === undefined ? {} : { hint: hint.id }),
    })
  }
  const jwksUri = document.jwks_uri
  if (typeof jwksUri !== 'string' || !isHttpUrl(jwksUri)) {
    throw new TesseraError({
      code: 'jwks_unavailable',
      message: `discovery document ${quote(url)} has no usable jwks_uri: expected an http or https URL, got ${typeof jwksUri === 'string' ? quote(jwksUri) : jsonType(jwksUri)}`,
      expected: 'an http or https URL',
      actual: typeof jwksUri === 'string' ? redact(jwksUri) : jsonType(jwksUri),
    })
  }
  return document as DiscoveryDocument
}

/** True for an absolute `http:` or `https:` URL. */
export function isHttpUrl(value: string): boolean {
  const protocol = URL.parse(value)?.protocol
  return protocol === 'https:' || protocol === 'http:'
}

function jsonType(value: unknown): string {
  if (value === undefined) return 'missing'
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}
