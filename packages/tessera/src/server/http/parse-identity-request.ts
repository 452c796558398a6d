import { quote, TesseraError } from '@tessera/verify'

/** The body of `POST /v1/identity/token`, checked. */
export interface IdentityRequest {
  readonly joinToken?: string
  /** An upstream OIDC token (Kubernetes service account, CI) accepted through a policy. */
  readonly subjectToken?: string
  readonly audience: string
  readonly ttlSeconds?: number
}

const fields = new Set(['joinToken', 'token', 'audience', 'ttlSeconds'])

/**
 * Checks the JSON body `{ joinToken? , token?, audience, ttlSeconds? }`: exactly one
 * attestation, one audience, a whole number of seconds; unknown fields are refused so that a
 * misspelt `ttl` does not silently fall back to the default.
 * @throws {TesseraError} `invalid_request`
 */
export function parseIdentityRequest(body: unknown): IdentityRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object { joinToken | token, audience, ttlSeconds? }')
  }
  const record = body as Record<string, unknown>
  for (const key of Object.keys(record)) {
    if (!fields.has(key))
      throw invalid(`unknown field ${quote(key)}: expected joinToken, token, audience, ttlSeconds`)
  }
  const { joinToken, token, audience, ttlSeconds } = record
  if (joinToken !== undefined && token !== undefined)
    throw invalid('give either joinToken or token, not both')
  if (joinToken === undefined && token === undefined)
    throw invalid('joinToken or token is required: the attestation of the workload')
  if (joinToken !== undefined && !isNonEmptyString(joinToken))
    throw invalid('joinToken must be a non-empty string')
  if (token !== undefined && !isNonEmptyString(token))
    throw invalid('token must be a non-empty string')
  if (!isNonEmptyString(audience))
    throw invalid('audience is required: the one audience of the identity token')
  if (
    ttlSeconds !== undefined &&
    (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1)
  )
    throw invalid('ttlSeconds must be a whole number of seconds, at least 1')
  return {
    ...(joinToken === undefined ? {} : { joinToken: joinToken as string }),
    ...(token === undefined ? {} : { subjectToken: token as string }),
    audience,
    ...(ttlSeconds === undefined ? {} : { ttlSeconds: ttlSeconds as number }),
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

function invalid(message: string): TesseraError {
  return new TesseraError({ code: 'invalid_request', check: 'request', message })
}
