import { quote, redact, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, maxPresentedTokenBytes } from '../../sts/index.ts'

/** The dialect name the gRPC transport gives the engine (audit records show it). */
export const grpcDialect = 'grpc'

/** `tessera.v1.ExchangeRequest` as proto-loader decodes it (every field present). */
export interface ExchangeMessage {
  readonly subject_token: string
  readonly subject_token_type: string
  readonly actor_token: string
  readonly actor_token_type: string
  readonly audience: string
  readonly resource: string
  readonly scope: readonly string[]
  readonly requested_token_type: string
  readonly client_id: string
}

/** `tessera.v1.IdentityTokenRequest` as proto-loader decodes it. */
export interface IdentityTokenMessage {
  readonly join_token: string
  readonly subject_token: string
  readonly audience: string
  readonly ttl_seconds: number
}

/** The engine's identity request, without the correlation id. */
export interface ParsedIdentityRequest {
  readonly joinToken?: string
  readonly subjectToken?: string
  readonly audience: string
  readonly ttlSeconds?: number
}

/**
 * Turns an `ExchangeRequest` into the canonical exchange (dialect `grpc`). Empty strings are
 * absent (proto3 cannot tell them apart); token sizes are checked before anything reads them;
 * scopes are deduplicated and must each be one RFC 6749 §3.3 scope token. Token types, the
 * actor pair and the target are then checked by the engine, as for every dialect.
 *
 * @throws {TesseraError} `invalid_request`, `too_large`
 */
export function parseExchangeMessage(
  message: ExchangeMessage,
  correlationId: string,
): CanonicalExchange {
  checkSize('subject_token', message.subject_token)
  checkSize('actor_token', message.actor_token)
  const optional = {
    actorToken: message.actor_token,
    actorTokenType: message.actor_token_type,
    audience: message.audience,
    resource: message.resource,
    requestedTokenType: message.requested_token_type,
    clientId: message.client_id,
  }
  return {
    dialect: grpcDialect,
    correlationId,
    subjectToken: message.subject_token,
    subjectTokenType: message.subject_token_type,
    scopes: parseScopes(message.scope),
    ...(Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== '')) as Partial<
      Record<keyof typeof optional, string>
    >),
  }
}

/**
 * Checks an `IdentityTokenRequest`: exactly one attestation, an audience, a ttl of at least
 * one second when given (0 = the default).
 *
 * @throws {TesseraError} `invalid_request`, `too_large`
 */
export function parseIdentityTokenMessage(message: IdentityTokenMessage): ParsedIdentityRequest {
  const { join_token: joinToken, subject_token: subjectToken, audience } = message
  const ttlSeconds = message.ttl_seconds
  if (joinToken !== '' && subjectToken !== '') {
    throw invalid('give either join_token or subject_token, not both')
  }
  if (joinToken === '' && subjectToken === '') {
    throw invalid('join_token or subject_token is required: the attestation of the workload')
  }
  checkSize('join_token', joinToken)
  checkSize('subject_token', subjectToken)
  if (audience === '') throw invalid('audience is required: the one audience of the identity token')
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 0) {
    throw invalid('ttl_seconds must be a whole number of seconds, at least 1 (0 = the default)')
  }
  return {
    ...(joinToken === '' ? {} : { joinToken }),
    ...(subjectToken === '' ? {} : { subjectToken }),
    audience,
    ...(ttlSeconds === 0 ? {} : { ttlSeconds }),
  }
}

function checkSize(field: string, token: string): void {
  const bytes = Buffer.byteLength(token, 'utf8')
  if (bytes <= maxPresentedTokenBytes) return
  throw new TesseraError({
    code: 'too_large',
    check: 'request',
    message: `${field} is ${bytes} bytes, more than the limit of ${maxPresentedTokenBytes}`,
    expected: `<= ${maxPresentedTokenBytes} bytes`,
    actual: `${bytes} bytes`,
  })
}

// RFC 6749 §3.3: scope-token = 1*NQCHAR (printable ASCII except space, `"` and `\`).
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function parseScopes(scopes: readonly string[]): string[] {
  const result: string[] = []
  for (const scope of scopes) {
    if (!scopeToken.test(scope)) {
      throw new TesseraError({
        code: 'invalid_request',
        check: 'request',
        message: `scope entry ${quote(scope)} is not one RFC 6749 §3.3 scope token: send one scope per entry`,
        expected: 'one scope of printable ASCII other than space, " and \\ per entry',
        actual: redact(scope),
      })
    }
    if (!result.includes(scope)) result.push(scope)
  }
  return result
}

function invalid(message: string): TesseraError {
  return new TesseraError({ code: 'invalid_request', check: 'request', message })
}
