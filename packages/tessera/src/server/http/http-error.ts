import { codes, isTesseraError, TesseraError } from '@tessera/verify'

/** An error as the HTTP layer answers it: one `TesseraError` and the status to send. */
export interface HttpError {
  readonly error: TesseraError
  /**
   * Set when the transport decided the status (body too large, wrong media type, unknown
   * route); absent when the code table's `http` status applies.
   */
  readonly status?: number
  /** True when nothing in the error may reach the caller and the whole error must be logged. */
  readonly unexpected: boolean
}

// Statuses chosen by the transport rather than the code table: the table's `too_large` is a
// token rejection (401); an oversized request body is RFC 9110 §15.5.14 Content Too Large.
const transportStatus = new WeakMap<TesseraError, number>()

/** Tags a `TesseraError` with the HTTP status the transport answers it with. */
export function withStatus(error: TesseraError, status: number): TesseraError {
  transportStatus.set(error, status)
  return error
}

/**
 * Turns anything a route or Fastify threw into a `TesseraError` and a status: Tessera's own
 * errors keep their code; Fastify's body and content-type errors become `too_large` or
 * `invalid_request`; everything else is an opaque `internal_error` (logged in full by the
 * caller, never shown).
 */
export function toHttpError(thrown: unknown): HttpError {
  if (isTesseraError(thrown)) {
    const status = transportStatus.get(thrown)
    return { error: thrown, unexpected: false, ...(status === undefined ? {} : { status }) }
  }
  const fastifyCode = (thrown as { code?: unknown } | null)?.code
  const statusCode = (thrown as { statusCode?: unknown } | null)?.statusCode
  switch (fastifyCode) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return transport('too_large', 413, 'request body is larger than the limit', thrown)
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return transport(
        'invalid_request',
        415,
        'content type is not supported here: send application/x-www-form-urlencoded to /oauth2/token and application/json to /v1/ endpoints',
        thrown,
      )
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return transport('invalid_request', 400, 'Content-Length does not match the body', thrown)
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return transport('invalid_request', 400, 'JSON body is empty', thrown)
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return transport('invalid_request', 400, 'body is not valid JSON', thrown)
  }
  // Fastify's JSON parser reports a syntax error (or a __proto__ key) as a 400 without a code.
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const reason =
      thrown instanceof SyntaxError ? 'body is not valid JSON' : 'the request was refused'
    return transport('invalid_request', statusCode, reason, thrown)
  }
  return {
    error: new TesseraError({
      code: 'internal_error',
      message: codes.internal_error.summary,
      cause: thrown,
    }),
    unexpected: true,
  }
}

function transport(
  code: 'too_large' | 'invalid_request',
  status: number,
  message: string,
  cause: unknown,
): HttpError {
  return {
    error: new TesseraError({ code, check: 'request', message, cause }),
    status,
    unexpected: false,
  }
}
