import { quote, redact, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, tokenTypes } from '../../canonical.ts'
import { maxPresentedTokenBytes } from '../token-exchange/parse.ts'
import type { GcpDialectSection } from './config-schema.ts'
import { serviceAccountPolicyName } from './provider-name.ts'

/** The longest lifetime generateAccessToken grants without an organisation policy, seconds. */
export const maxLifetimeSeconds = 3600

const suffix = ':generateAccessToken'
const lifetimePattern = /^([0-9]{1,9})(?:\.[0-9]{1,9})?s$/

/** A parsed generateAccessToken call: the canonical exchange and the account it is for. */
export interface GenerateAccessTokenRequest {
  readonly exchange: CanonicalExchange
  readonly email: string
  /** The requested lifetime, seconds (default 3600). */
  readonly lifetimeSeconds: number
}

/** What the route passes in: the path's last segment, the Authorization header and the body. */
export interface GenerateAccessTokenInput {
  /** `<email>:generateAccessToken`, the path segment after `serviceAccounts/`. */
  readonly resource: string
  readonly authorization: string | undefined
  readonly body: unknown
}

function invalid(message: string, expected: string, actual: string): TesseraError {
  return new TesseraError({ code: 'invalid_request', message, expected, actual })
}

/**
 * Parses an IAM Credentials `generateAccessToken` call (`Authorization: Bearer <STS token>`,
 * JSON `{scope: [...], lifetime: "3600s"}`) into the canonical exchange of the bearer token for
 * the service account's target under its implied policy `gcp:sa:<email>`, for the requested
 * lifetime (capped by the issuer's setting). That policy accepts only the STS tokens of the
 * principals the account's `members` bind; the engine refuses any other bearer with the same
 * 403 Google gives when the caller lacks roles/iam.workloadIdentityUser. An account that is not
 * configured is refused as Google refuses it (403, "or it may not exist").
 *
 * @throws {TesseraError} `missing_credentials` (no bearer), `invalid_request`, `too_large`,
 *   `target_not_allowed` (check `service_account`)
 */
export function parseGenerateAccessToken(
  input: GenerateAccessTokenInput,
  section: GcpDialectSection | undefined,
  correlationId = '',
): GenerateAccessTokenRequest {
  if (!input.resource.endsWith(suffix)) {
    throw invalid(
      `${quote(input.resource)} is not <email>${suffix}`,
      `<email>${suffix}`,
      redact(input.resource),
    )
  }
  const email = input.resource.slice(0, -suffix.length)
  const bearer = /^Bearer +(\S+)\s*$/i.exec(input.authorization ?? '')?.[1]
  if (bearer === undefined) {
    throw new TesseraError({
      code: 'missing_credentials',
      message: 'the request carries no bearer token: send Authorization: Bearer <STS access token>',
      expected: 'Authorization: Bearer <token>',
      actual: input.authorization === undefined ? 'missing' : 'another scheme',
    })
  }
  const bytes = Buffer.byteLength(bearer, 'utf8')
  if (bytes > maxPresentedTokenBytes) {
    throw new TesseraError({
      code: 'too_large',
      check: 'request',
      message: `the bearer token is ${bytes} bytes, more than the limit of ${maxPresentedTokenBytes}`,
      expected: `<= ${maxPresentedTokenBytes} bytes`,
      actual: `${bytes} bytes`,
    })
  }
  const { scopes, lifetimeSeconds } = readBody(input.body)
  const account = section?.serviceAccounts?.find((a) => a.email === email)
  if (account === undefined) {
    throw new TesseraError({
      code: 'target_not_allowed',
      check: 'service_account',
      message: `service account ${quote(email)} is not configured (clouds.gcp.serviceAccounts)`,
      expected: (section?.serviceAccounts ?? []).map((a) => redact(a.email)),
      actual: redact(email),
    })
  }
  return {
    email,
    lifetimeSeconds,
    exchange: {
      dialect: 'google-iam-credentials',
      correlationId,
      subjectToken: bearer,
      subjectTokenType: tokenTypes.accessToken,
      audience: account.target,
      scopes,
      policy: serviceAccountPolicyName(email),
      ttlSeconds: lifetimeSeconds,
    },
  }
}

function readBody(body: unknown): { scopes: string[]; lifetimeSeconds: number } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(
      'the body is not a JSON object: send {"scope": [...], "lifetime": "3600s"}',
      'a JSON object',
      body === undefined ? 'missing' : redact(body),
    )
  }
  const { scope, lifetime, delegates } = body as Record<string, unknown>
  if (
    !Array.isArray(scope) ||
    scope.length === 0 ||
    !scope.every((s) => typeof s === 'string' && s !== '')
  ) {
    throw invalid('scope must be a non-empty list of scopes', 'scope: [string, …]', redact(scope))
  }
  if (delegates !== undefined && !(Array.isArray(delegates) && delegates.length === 0)) {
    throw invalid(
      'delegates are not supported: impersonate the account directly',
      'no delegates',
      redact(delegates),
    )
  }
  let lifetimeSeconds = maxLifetimeSeconds
  if (lifetime !== undefined) {
    const seconds = typeof lifetime === 'string' ? lifetimePattern.exec(lifetime)?.[1] : undefined
    if (seconds === undefined) {
      throw invalid(
        'lifetime is not a duration in seconds such as "3600s"',
        '"<seconds>s"',
        redact(lifetime),
      )
    }
    lifetimeSeconds = Number(seconds)
    if (lifetimeSeconds > maxLifetimeSeconds || lifetimeSeconds < 1) {
      // Google's own words for the upper bound (cloud-semantics.md §2.3).
      throw invalid(
        `The access token lifetime cannot exceed ${maxLifetimeSeconds} seconds.`,
        `1s to ${maxLifetimeSeconds}s`,
        redact(lifetime),
      )
    }
  }
  return { scopes: [...new Set(scope as string[])], lifetimeSeconds }
}
