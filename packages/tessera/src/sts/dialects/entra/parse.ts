import { type DecodedJwt, decodeJwt, quote, redact, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, tokenTypes } from '../../canonical.ts'
import { readForm } from '../token-exchange/form.ts'
import { maxPresentedTokenBytes } from '../token-exchange/parse.ts'
import { entraVariants, withEntraWire } from './wire-codes.ts'

/** RFC 7523 §2.2: the client assertion type of a JWT used for client authentication. */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** The suffix Entra requires on a client-credentials scope (`<resource>/.default`). */
export const defaultScopeSuffix = '/.default'

/** An Entra client-credentials request, read and shape-checked, not yet decided. */
export interface EntraTokenRequest {
  /** The `{tenant}` path segment. */
  readonly tenant: string
  readonly clientId: string
  /** The client assertion (the external workload token), as sent. */
  readonly assertion: string
  /** The assertion decoded without verification: what the federated credentials match on. */
  readonly decoded: DecodedJwt
  /** The scope as sent (`<resource>/.default`). */
  readonly scope: string
  /** The resource the scope names: the target the new token is for. */
  readonly resource: string
}

/**
 * Reads `POST /{tenant}/oauth2/v2.0/token` (RFC 6749 §4.4 client credentials with an RFC 7523
 * JWT-bearer client assertion) in the order Entra checks it: grant type, client id, assertion
 * and its type, scope. MSAL's extra fields (`x-client-*`, `client-request-id`, telemetry) are
 * ignored. The assertion is size-checked and decoded without verification, for matching only.
 *
 * @throws {TesseraError} `invalid_request` (AADSTS900144, 7000218, 9000411),
 * `unsupported_grant_type` (70003), `scope_not_allowed` (1002012), `too_large` or `malformed`
 * (50027)
 */
export function parseEntraTokenRequest(
  body: URLSearchParams | Readonly<Record<string, unknown>>,
  tenant: string,
): EntraTokenRequest {
  const form = readForm(body)
  const grantType = required(form.get('grant_type'), 'grant_type')
  if (grantType !== 'client_credentials') {
    throw new TesseraError({
      code: 'unsupported_grant_type',
      message: `grant_type ${quote(grantType)} is not supported here: use "client_credentials" with a client assertion`,
      expected: 'client_credentials',
      actual: redact(grantType),
    })
  }
  const clientId = required(form.get('client_id'), 'client_id')
  const assertionType = form.get('client_assertion_type')
  const assertion = form.get('client_assertion')
  if (assertion === undefined || assertionType !== jwtBearerAssertionType) {
    const what = assertion === undefined ? 'client_assertion is missing' : 'client_assertion_type'
    throw withEntraWire(
      new TesseraError({
        code: 'invalid_request',
        check: 'request',
        message:
          assertion === undefined
            ? `${what}: send the workload's token as client_assertion`
            : `${what} ${quote(assertionType ?? '')} is not ${quote(jwtBearerAssertionType)}`,
        expected: `client_assertion with client_assertion_type ${jwtBearerAssertionType}`,
        actual: assertion === undefined ? 'no client_assertion' : redact(assertionType ?? ''),
      }),
      entraVariants.missingAssertion,
    )
  }
  const scope = required(form.get('scope'), 'scope')
  const resource = resourceOf(scope)
  const decoded = decodeJwt(assertion, maxPresentedTokenBytes)
  return { tenant, clientId, assertion, decoded, scope, resource }
}

/**
 * The canonical exchange for a request whose federated credential matched: the assertion is
 * the subject token, the target the inventory audience the scope resolved to, and only the
 * credential's own policy may grant it.
 */
export function entraExchange(
  request: EntraTokenRequest,
  match: { readonly policy: string; readonly audience: string },
  correlationId: string,
): CanonicalExchange {
  return {
    dialect: 'entra',
    correlationId,
    subjectToken: request.assertion,
    subjectTokenType: tokenTypes.jwt,
    audience: match.audience,
    scopes: [],
    clientId: request.clientId,
    policy: match.policy,
  }
}

function required(value: string | undefined, parameter: string): string {
  if (value !== undefined) return value
  throw withEntraWire(
    new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: `${parameter} is missing`,
      expected: parameter,
      actual: 'missing',
    }),
    entraVariants.missingParameter(parameter),
  )
}

// Client credentials ask for one resource's application permissions: exactly one scope,
// `<resource>/.default` (MSAL sends a scope without the suffix unchanged, so it is checked here).
function resourceOf(scope: string): string {
  const scopes = scope.split(' ').filter((s) => s !== '')
  const only = scopes.length === 1 ? (scopes[0] as string) : ''
  const resource = only.endsWith(defaultScopeSuffix)
    ? only.slice(0, -defaultScopeSuffix.length)
    : ''
  if (resource !== '') return resource
  throw withEntraWire(
    new TesseraError({
      code: 'scope_not_allowed',
      check: 'scope',
      message: `scope ${quote(scope)} is not one "<resource>/.default": client credentials ask for a resource's application permissions`,
      expected: '<resource>/.default',
      actual: redact(scope),
    }),
    entraVariants.scopeWithoutDefault,
  )
}
