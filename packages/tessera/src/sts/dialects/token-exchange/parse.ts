import { quote, redact, TesseraError } from '@tessera/verify'
import {
  type CanonicalExchange,
  missing,
  tokenTypes,
  validateCanonicalExchange,
} from '../../canonical.ts'
import { maxSamlTokenBytes } from '../../saml-subject.ts'
import { type RequestHeaders, readClientId } from './client-auth.ts'
import { readForm } from './form.ts'

/** The grant type of RFC 8693 §2.1. */
export const tokenExchangeGrantType = 'urn:ietf:params:oauth:grant-type:token-exchange'

/** Largest subject or actor token accepted, in bytes; checked before anything reads it. */
export const maxPresentedTokenBytes = 16 * 1024

/** Options of `parseTokenExchange`. */
export interface ParseTokenExchangeOptions {
  /** The server's correlation id for this request; empty lets the engine create one. */
  readonly correlationId?: string
}

/**
 * Parses an RFC 8693 token-exchange request (`application/x-www-form-urlencoded`, so `+` is
 * already a space) into the canonical exchange. Each parameter may appear once; parameters
 * sent empty count as absent; unknown parameters are ignored (RFC 6749 §3.2). The client id
 * comes from the body or from Basic credentials whose parts are form-url-decoded.
 *
 * @throws {TesseraError} `invalid_request`, `unsupported_grant_type`, `unsupported_token_type`,
 * `too_large`
 * @example
 * const request = parseTokenExchange(new URLSearchParams(body), req.headers, { correlationId })
 * const result = await engine.exchange(request)
 */
export function parseTokenExchange(
  body: URLSearchParams | Readonly<Record<string, unknown>>,
  headers: RequestHeaders,
  options: ParseTokenExchangeOptions = {},
): CanonicalExchange {
  const form = readForm(body)
  const grantType = form.get('grant_type')
  if (grantType === undefined) throw missing('grant_type')
  if (grantType !== tokenExchangeGrantType) {
    throw new TesseraError({
      code: 'unsupported_grant_type',
      message: `grant_type ${quote(grantType)} is not supported: use ${quote(tokenExchangeGrantType)}`,
      expected: tokenExchangeGrantType,
      actual: redact(grantType),
    })
  }
  const subjectToken = form.get('subject_token')
  if (subjectToken === undefined) throw missing('subject_token')
  const subjectTokenType = form.get('subject_token_type')
  if (subjectTokenType === undefined) throw missing('subject_token_type')
  // A signed SAML Response is larger than any JWT: it gets AWS's SAMLAssertion limit.
  checkSize(
    'subject_token',
    subjectToken,
    subjectTokenType === tokenTypes.saml2 ? maxSamlTokenBytes : maxPresentedTokenBytes,
  )
  const actorToken = form.get('actor_token')
  if (actorToken !== undefined) checkSize('actor_token', actorToken, maxPresentedTokenBytes)

  const optional = {
    actorToken,
    actorTokenType: form.get('actor_token_type'),
    audience: form.get('audience'),
    resource: form.get('resource'),
    requestedTokenType: form.get('requested_token_type'),
    clientId: readClientId(form, headers),
  }
  const request: CanonicalExchange = {
    dialect: 'token-exchange',
    correlationId: options.correlationId ?? '',
    subjectToken,
    subjectTokenType,
    scopes: parseScope(form.get('scope')),
    ...(Object.fromEntries(
      Object.entries(optional).filter(([, value]) => value !== undefined),
    ) as Partial<Record<keyof typeof optional, string>>),
  }
  validateCanonicalExchange(request)
  return request
}

function checkSize(parameter: string, token: string, limit: number): void {
  const bytes = Buffer.byteLength(token, 'utf8')
  if (bytes <= limit) return
  throw new TesseraError({
    code: 'too_large',
    check: 'request',
    message: `${parameter} is ${bytes} bytes, more than the limit of ${limit}`,
    expected: `<= ${limit} bytes`,
    actual: `${bytes} bytes`,
  })
}

// RFC 6749 §3.3: scope = scope-token *( SP scope-token ), scope-token = 1*NQCHAR.
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function parseScope(scope: string | undefined): string[] {
  if (scope === undefined) return []
  const scopes: string[] = []
  for (const token of scope.split(' ')) {
    if (token === '' || scopes.includes(token)) continue
    if (!scopeToken.test(token)) {
      throw new TesseraError({
        code: 'invalid_request',
        message: `scope ${quote(token)} holds a character RFC 6749 §3.3 does not allow in a scope`,
        expected: 'space-separated scopes of printable ASCII other than " and \\',
        actual: redact(token),
      })
    }
    scopes.push(token)
  }
  return scopes
}
