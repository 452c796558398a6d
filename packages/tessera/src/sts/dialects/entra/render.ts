import { isTesseraError, TesseraError } from '@tessera/verify'
import { callerExposure } from '../../../policy/index.ts'
import type { ExchangeResult } from '../../types.ts'
import { type EntraErrorContext, entraWireFor } from './wire-codes.ts'

/** An HTTP answer of the Entra token endpoint: status, JSON body and headers to set. */
export interface EntraResponse {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
}

const jsonHeaders = Object.freeze({
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store, no-cache',
  pragma: 'no-cache',
})

/**
 * Renders a successful exchange as Entra's token response: `token_type`, `expires_in`,
 * `ext_expires_in` (equal: Tessera has no outage extension) and `access_token`. azure-identity
 * needs `expires_in`: without it every `getToken` asks again.
 */
export function renderEntraToken(result: ExchangeResult): EntraResponse {
  return {
    status: 200,
    body: {
      token_type: result.tokenType,
      expires_in: result.expiresIn,
      ext_expires_in: result.expiresIn,
      access_token: result.accessToken,
    },
    headers: jsonHeaders,
  }
}

/** Entra's timestamp format: `2026-01-02 03:04:05Z`. */
export function entraTimestamp(epochSeconds: number): string {
  return `${new Date(Math.floor(epochSeconds) * 1000).toISOString().replace('T', ' ').slice(0, 19)}Z`
}

/**
 * Renders a refusal in Entra's JSON shape — `error`, `error_description` (`AADSTS<n>: <message>`
 * then `\r\nTrace ID: …\r\nCorrelation ID: …\r\nTimestamp: …`), `error_codes`, `timestamp`,
 * `trace_id`, `correlation_id`, `error_uri` — with Entra's status (400, or 401 for
 * `invalid_client`). Tessera's code goes in `Tessera-Error-Code` and its near-miss hint in
 * `Tessera-Error-Hint` (unless the code is opaque); the full explanation is in the audit log or
 * the server log under the correlation id, which is also the trace id. The message quotes only
 * what the caller sent. Anything that is not a `TesseraError` is answered as `internal_error`.
 */
export function renderEntraError(
  error: unknown,
  correlationId: string,
  context: EntraErrorContext,
): EntraResponse {
  const known = isTesseraError(error)
    ? error
    : new TesseraError({ code: 'internal_error', message: 'unexpected failure', cause: error })
  const wire = entraWireFor(known)
  const timestamp = entraTimestamp(context.now)
  const description = `AADSTS${wire.aadsts}: ${wire.describe(context, known)}`
  const headers: Record<string, string> = { ...jsonHeaders, 'tessera-error-code': known.code }
  if (known.hint !== undefined && callerExposure(known) !== 'opaque') {
    headers['tessera-error-hint'] = known.hint
  }
  return {
    status: wire.status,
    body: {
      error: wire.error,
      error_description: `${description}\r\nTrace ID: ${correlationId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [wire.aadsts],
      timestamp,
      trace_id: correlationId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${wire.aadsts}`,
    },
    headers,
  }
}
