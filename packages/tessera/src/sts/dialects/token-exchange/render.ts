import { codes, isTesseraError, TesseraError } from '@tessera/verify'
import { callerExposure, policyOf } from '../../../policy/index.ts'
import type { ExchangeResult } from '../../types.ts'
import { wireCodes } from './wire-codes.ts'

/** An HTTP answer of the token endpoint: status, JSON body and headers to set. */
export interface TokenExchangeResponse {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
}

// RFC 6749 §5.1 / §5.2: token responses and their errors must not be cached. There is never a
// `www-authenticate`: openid-client turns a 401 with one into a challenge error and drops the body.
const headers = Object.freeze({
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
})

/**
 * Renders a successful exchange as RFC 8693 §2.2.1 JSON: `access_token`, `issued_token_type`,
 * `token_type` (`Bearer`; openid-client requires it), `expires_in` and `scope` when granted.
 */
export function renderTokenExchange(result: ExchangeResult): TokenExchangeResponse {
  return {
    status: 200,
    body: {
      access_token: result.accessToken,
      issued_token_type: result.issuedTokenType,
      token_type: result.tokenType,
      expires_in: result.expiresIn,
      ...(result.scope === undefined ? {} : { scope: result.scope }),
    },
    headers,
  }
}

/**
 * Renders a rejection as RFC 6749 §5.2 JSON plus Tessera's explanation, as much as the code's
 * exposure allows — at most `summary` for an error about a policy (`callerExposure`): `detail`
 * adds `hint`, `expected` and `actual`; `summary` gives the code's summary, the `hint` and the
 * deciding `policy` (and the author's message for `condition_failed`); `opaque` gives only the
 * code and the correlation id. Anything that is not a `TesseraError` is answered as an opaque
 * `internal_error`.
 */
export function renderTokenExchangeError(
  error: unknown,
  correlationId: string,
): TokenExchangeResponse {
  const known = isTesseraError(error)
    ? error
    : new TesseraError({ code: 'internal_error', message: 'unexpected failure', cause: error })
  const wire = wireCodes[known.code]
  const exposure = callerExposure(known)
  // The policy part remembers which policy a policy error is about (TesseraError has no field
  // for it): the deny policy that matched, or the closest allow policy.
  const policy = policyOf(known)
  let description: string = codes[known.code].summary
  if (exposure === 'detail') description = known.message
  else if (exposure === 'summary') {
    if (policy !== undefined) description += ` (policy "${policy}")`
    // A condition's message is the policy author's own text, written for the caller.
    if (known.code === 'condition_failed') description += `: ${known.message}`
  }
  const body: Record<string, unknown> = {
    error: wire.error,
    error_description: descriptionText(description),
    code: known.code,
  }
  if (exposure !== 'opaque' && known.hint !== undefined) body.hint = known.hint
  if (exposure === 'detail') {
    if (known.expected !== undefined) body.expected = known.expected
    if (known.actual !== undefined) body.actual = known.actual
  }
  if (exposure === 'summary' && policy !== undefined) body.policy = policy
  body.correlation_id = correlationId
  return { status: wire.status, body, headers }
}

// RFC 6749 §5.2 limits error_description to %x20-21 / %x23-5B / %x5D-7E: no `"`, no `\`, ASCII
// only. Messages quote values with `"`, so quotes become `'` (and `…`, `§` are spelled out);
// any other character outside the set becomes `?`. The exact values still reach the caller in
// `expected`/`actual`.
function descriptionText(text: string): string {
  return text
    .replaceAll('"', "'")
    .replaceAll('…', '...')
    .replaceAll('§', 'section ')
    .replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '?')
}
