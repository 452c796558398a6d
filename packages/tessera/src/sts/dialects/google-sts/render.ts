import { codes, isTesseraError, redact, TesseraError } from '@tessera/verify'
import { callerExposure } from '../../../policy/index.ts'
import type { ExchangeResult } from '../../types.ts'
import { attributeConditionMessage } from './attribute-condition.ts'
import {
  type GoogleStsMessage,
  googleIamWireCodes,
  googleStsWireCodes,
  permissionDeniedMessage,
  unauthenticatedMessage,
} from './wire-codes.ts'

/** An HTTP answer of a Google endpoint: status, JSON body and headers to set. */
export interface GoogleResponse {
  readonly status: number
  readonly body: Readonly<Record<string, unknown>>
  readonly headers: Readonly<Record<string, string>>
}

/** What Google's messages print of the presented token and the provider (values unverified). */
export interface GoogleStsErrorContext {
  readonly tokenIssuer?: string
  readonly tokenAudience?: readonly string[]
  readonly tokenIssuedAt?: number
  /** The issuer-uri of the provider the request named. */
  readonly providerIssuer?: string
}

const noStore = Object.freeze({ 'content-type': 'application/json', 'cache-control': 'no-store' })

/** Google's message for an STS `audience` that is not a provider resource name. */
export const audienceFormatMessage =
  'Invalid value for "audience". This value should be the full resource name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token for the list of possible formats.'

/** Google's message for an STS `audience` naming no usable provider. */
export const invalidTargetMessage =
  'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.'

function known(error: unknown): TesseraError {
  return isTesseraError(error)
    ? error
    : new TesseraError({ code: 'internal_error', message: 'unexpected failure', cause: error })
}

// Tessera's explanation travels in headers on every dialect; the hint only when the code's
// exposure lets the caller see more than the summary.
function tesseraHeaders(error: TesseraError): Record<string, string> {
  const headers: Record<string, string> = { 'tessera-error-code': error.code }
  if (callerExposure(error) !== 'opaque' && error.hint !== undefined) {
    headers['tessera-error-hint'] = error.hint
  }
  return headers
}

// Tessera's own words when Google has none: the message when the exposure allows, else the
// code's summary.
function tesseraDescription(error: TesseraError): string {
  const exposure = callerExposure(error)
  if (exposure === 'detail') return error.message
  if (exposure === 'summary' && error.code === 'condition_failed') {
    return `${codes[error.code].summary}: ${error.message}`
  }
  return codes[error.code].summary
}

function googleMessage(
  message: GoogleStsMessage,
  error: TesseraError,
  context: GoogleStsErrorContext,
): string {
  switch (message) {
    case 'audience_format':
      return audienceFormatMessage
    case 'invalid_target':
      return invalidTargetMessage
    case 'token_audience':
      return `The audience in ID Token [${(context.tokenAudience ?? []).map((a) => redact(a)).join(', ')}] does not match the expected audience.`
    case 'token_issuer':
      return `The issuer in ID Token ${redact(context.tokenIssuer ?? '')} does not match the expected ones: ${context.providerIssuer ?? ''}`
    case 'stale':
      return context.tokenIssuedAt === undefined
        ? tesseraDescription(error)
        : `ID Token issued at ${context.tokenIssuedAt} is stale to sign-in.`
    case 'signature':
      // Google's exact wording for a bad signature is not on record: Tessera's own, Google-styled.
      return 'The signature of the ID Token could not be verified with the keys of its issuer.'
    case 'attribute_condition':
      return attributeConditionMessage
  }
}

/**
 * Renders a successful STS exchange as Google does: `access_token`, `issued_token_type`,
 * `token_type: Bearer` and `expires_in` (always sent: google-auth-library caches a token
 * without it forever).
 */
export function renderGoogleSts(result: ExchangeResult): GoogleResponse {
  return {
    status: 200,
    body: {
      access_token: result.accessToken,
      issued_token_type: result.issuedTokenType,
      token_type: 'Bearer',
      expires_in: result.expiresIn,
    },
    headers: noStore,
  }
}

/**
 * Renders an STS rejection as Google's RFC 6749 JSON `{error, error_description}` with the
 * message Google gives for it (cloud-semantics.md §2.3), Tessera's code and hint in the
 * `Tessera-Error-Code` / `Tessera-Error-Hint` headers. A malformed `audience` (check
 * `audience`) gets Google's "Invalid value for "audience"" text.
 */
export function renderGoogleStsError(
  error: unknown,
  context: GoogleStsErrorContext = {},
): GoogleResponse {
  const tessera = known(error)
  const wire = googleStsWireCodes[tessera.code]
  const message: GoogleStsMessage | undefined =
    tessera.code === 'invalid_request' && tessera.check === 'audience'
      ? 'audience_format'
      : 'message' in wire
        ? wire.message
        : undefined
  return {
    status: wire.status,
    body: {
      error: wire.error,
      error_description:
        message === undefined
          ? tesseraDescription(tessera)
          : googleMessage(message, tessera, context),
    },
    headers: { ...noStore, ...tesseraHeaders(tessera) },
  }
}

/**
 * Renders a minted service-account token as the IAM Credentials API does:
 * `{accessToken, expireTime}` with `expireTime` in RFC 3339 (UTC).
 */
export function renderGenerateAccessToken(accessToken: string, expiresAt: number): GoogleResponse {
  return {
    status: 200,
    body: { accessToken, expireTime: new Date(expiresAt * 1000).toISOString() },
    headers: noStore,
  }
}

/**
 * Renders a generateAccessToken rejection in Google's API error shape
 * `{error: {code, message, status}}`: Google's fixed messages for 401 and 403, Tessera's
 * description (by exposure) otherwise; Tessera's code and hint in the headers.
 */
export function renderGenerateAccessTokenError(error: unknown): GoogleResponse {
  const tessera = known(error)
  const wire = googleIamWireCodes[tessera.code]
  const message =
    wire.status === 'UNAUTHENTICATED'
      ? unauthenticatedMessage
      : wire.status === 'PERMISSION_DENIED'
        ? permissionDeniedMessage
        : wire.status === 'INTERNAL'
          ? 'Internal error encountered.'
          : tesseraDescription(tessera)
  return {
    status: wire.code,
    body: { error: { code: wire.code, message, status: wire.status } },
    headers: { ...noStore, ...tesseraHeaders(tessera) },
  }
}
