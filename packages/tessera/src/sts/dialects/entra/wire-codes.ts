import { type ErrorCode, redact, type TesseraError } from '@tessera/verify'

/** The `error` values Entra's token endpoint answers with (RFC 6749 §5.2 plus `invalid_resource`). */
export type EntraError =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'invalid_scope'
  | 'invalid_resource'
  | 'invalid_tenant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'server_error'

/**
 * What an Entra message may quote: the request and the assertion as the caller sent them
 * (never Tessera's configuration), gathered while the request is read.
 */
export interface EntraErrorContext {
  /** The `{tenant}` path segment. */
  readonly tenant: string
  readonly clientId?: string
  /** The resource named by `scope` (`<resource>/.default`). */
  readonly resource?: string
  /** The scope as sent. */
  readonly scope?: string
  readonly grantType?: string
  /** Claims and key id of the assertion, read without verification (for the message only). */
  readonly assertion?: {
    readonly iss?: unknown
    readonly sub?: unknown
    readonly aud?: unknown
    readonly nbf?: unknown
    readonly iat?: unknown
    readonly exp?: unknown
    readonly kid?: unknown
  }
  /** Epoch seconds, for the messages that state the current time. */
  readonly now: number
}

/** How one refusal goes out in Entra's dialect: its `AADSTS` number, `error`, status and message. */
export interface EntraWireCode {
  readonly aadsts: number
  readonly error: EntraError
  /** 400 for request and grant errors, 401 for `invalid_client` (as Entra answers), 5xx for faults. */
  readonly status: 400 | 401 | 500
  /** The message after `AADSTS<n>: `, in Entra's words, quoting only what the caller sent. */
  describe(context: EntraErrorContext, error: TesseraError): string
}

const docs = 'https://learn.microsoft.com/entra/workload-id/workload-identity-federation'

/** A value from the request or assertion as Entra quotes it: bounded, controls escaped. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (Array.isArray(value)) return value.map((v) => redact(v)).join(',')
  return redact(value)
}

// Entra prints times as 2023-08-01T11:08:01.5274809Z (seven fraction digits).
function entraTime(seconds: unknown): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return 'not set'
  const date = new Date(seconds * 1000)
  if (Number.isNaN(date.getTime())) return 'not set'
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z')
}

const row = (
  aadsts: number,
  error: EntraError,
  status: EntraWireCode['status'],
  describe: EntraWireCode['describe'],
): EntraWireCode => Object.freeze({ aadsts, error, status, describe })

// --- Rows with a source in ../shared/reference/cloud-semantics.md §3.4/§7 (observed texts). ---

/** AADSTS70021: no credential matches; Tessera answers it when only the issuer matched. */
const noMatchingRecord = row(
  70021,
  'invalid_client',
  401,
  ({ assertion: a }) =>
    `No matching federated identity record found for presented assertion. Assertion Issuer: '${shown(a?.iss)}'. Assertion Subject: '${shown(a?.sub)}'. Assertion Audience: '${shown(a?.aud)}'. ${docs}`,
)
const issuerNotFound = row(
  700211,
  'invalid_client',
  401,
  ({ assertion: a }) =>
    `No matching federated identity record found for presented assertion issuer '${shown(a?.iss)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${docs}`,
)
const audienceNotFound = row(
  700212,
  'invalid_client',
  401,
  ({ assertion: a }) =>
    `No matching federated identity record found for presented assertion audience '${shown(a?.aud)}'. Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${docs}`,
)
const subjectNotFound = row(
  700213,
  'invalid_client',
  401,
  ({ assertion: a }) =>
    `No matching federated identity record found for presented assertion subject '${shown(a?.sub)}'. Please note that the matching is done using a case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ${docs}`,
)
const outsideTimeRange = row(
  700024,
  'invalid_client',
  401,
  ({ assertion: a, now }) =>
    `Client assertion is not within its valid time range. Current time: ${entraTime(now)}, assertion valid from ${entraTime(a?.nbf ?? a?.iat)}, expiry time of assertion ${entraTime(a?.exp)}. Review the documentation at https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .`,
)
const keyNotFound = row(
  7000272,
  'invalid_client',
  401,
  ({ assertion: a }) =>
    `The certificate with identifier ${shown(a?.kid) || 'not set'} used to sign the federated credential could not be found in the metadata of identity provider ${shown(a?.iss)}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
)

// --- Rows whose code and text were confirmed by searching public issue threads. ---

// AADSTS700027 (Azure/azure-sdk-for-net#11194, AzureAD/passport-azure-ad#453).
const invalidSignature = (reason: string) =>
  row(
    700027,
    'invalid_client',
    401,
    ({ assertion: a }) =>
      `Client assertion contains an invalid signature. [Reason - ${reason}, Thumbprint of key used by client: '${shown(a?.kid)}']`,
  )
// AADSTS50166, answered 400 invalid_request (Azure/azure-workload-identity#642).
const oidcEndpointFailed = row(
  50166,
  'invalid_request',
  400,
  () => 'Request to External OIDC endpoint failed.',
)
// AADSTS500011, error invalid_resource (pnp/cli-microsoft365#1114 and others).
const resourceNotFound = row(
  500011,
  'invalid_resource',
  400,
  ({ resource, tenant }) =>
    `The resource principal named ${shown(resource)} was not found in the tenant named ${shown(tenant)}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
)

// --- Rows Entra has, in the family the code belongs to; Tessera's reason completes them. ---

// AADSTS50027 is Entra's "JWT token is invalid or malformed"; Tessera adds which rule failed.
const invalidJwt = row(
  50027,
  'invalid_request',
  400,
  (_context, error) => `JWT token is invalid or malformed. ${error.message}`,
)
// AADSTS9000411 is Entra's "The request is not properly formatted".
const badlyFormatted = row(
  9000411,
  'invalid_request',
  400,
  (_context, error) => `The request is not properly formatted. ${error.message}`,
)
const invalidScope = row(
  70011,
  'invalid_scope',
  400,
  ({ scope }) =>
    `The provided value for the input parameter 'scope' is not valid. The scope ${shown(scope)} is not valid.`,
)
const unsupportedGrant = row(
  70003,
  'unsupported_grant_type',
  400,
  ({ grantType }) => `The app requested an unsupported grant type '${shown(grantType)}'.`,
)
// A fault on Tessera's side; Entra answers its own faults with 500 server_error.
const serverFault = row(
  90033,
  'server_error',
  500,
  () => 'A transient error has occurred. Please try again.',
)

/**
 * Every Tessera error code mapped to the Entra answer for it — one table, so a code added to
 * `@tessera/verify` without a row here fails to compile. A refusal the dialect itself raises
 * with a more precise Entra code carries it as a variant (`withEntraWire`).
 */
export const wireCodes = Object.freeze({
  malformed: invalidJwt,
  too_large: invalidJwt,
  alg_not_allowed: invalidSignature('The signing algorithm is not allowed for this issuer.'),
  key_type_mismatch: invalidSignature('The key type does not match the signing algorithm.'),
  unknown_key: keyNotFound,
  bad_signature: invalidSignature(
    'The provided signature value did not match the expected signature value.',
  ),
  issuer_unknown: issuerNotFound,
  issuer_mismatch: issuerNotFound,
  audience_mismatch: audienceNotFound,
  expired: outsideTimeRange,
  not_yet_valid: outsideTimeRange,
  issued_in_future: outsideTimeRange,
  lifetime_exceeded: outsideTimeRange,
  token_too_old: outsideTimeRange,
  missing_claim: invalidJwt,
  subject_mismatch: subjectNotFound,
  typ_mismatch: invalidJwt,
  crit_unsupported: invalidJwt,
  // Entra has no single-use rule for assertions; implied policies never ask for one.
  replay: invalidJwt,
  jwks_unavailable: oidcEndpointFailed,
  discovery_mismatch: oidcEndpointFailed,
  // The policy family: the credential's own policy refused what matched it.
  no_matching_policy: noMatchingRecord,
  policy_denied: noMatchingRecord,
  claim_mismatch: noMatchingRecord,
  condition_failed: noMatchingRecord,
  target_not_allowed: resourceNotFound,
  scope_not_allowed: invalidScope,
  actor_not_allowed: noMatchingRecord,
  invalid_request: badlyFormatted,
  unsupported_grant_type: unsupportedGrant,
  unsupported_token_type: badlyFormatted,
  // Codes of other flows (identity, DPoP, receivers): never produced on this endpoint.
  join_token_invalid: badlyFormatted,
  missing_credentials: badlyFormatted,
  invalid_dpop_proof: badlyFormatted,
  dpop_replay: badlyFormatted,
  use_dpop_nonce: badlyFormatted,
  binding_mismatch: badlyFormatted,
  bound_token_as_bearer: badlyFormatted,
  insufficient_scope: invalidScope,
  subject_not_allowed: noMatchingRecord,
  delegation_too_deep: noMatchingRecord,
  internal_error: serverFault,
  // SAML assertions presented as subject tokens (the saml part): an invalid grant like any token.
  missing_signature: invalidJwt,
  untrusted_key: invalidJwt,
  multiple_assertions: invalidJwt,
  recipient_mismatch: invalidJwt,
  destination_mismatch: invalidJwt,
  in_response_to_mismatch: invalidJwt,
  status_not_success: invalidJwt,
  decryption_failed: invalidJwt,
  metadata_expired: invalidJwt,
  // Never produced by an exchange (doctor findings, the agent's own failures); rows for completeness.
  key_encrypted: serverFault,
  key_certificate_mismatch: serverFault,
  chain_incomplete: serverFault,
  certificate_expired: serverFault,
  drift_mismatch: serverFault,
  drift_missing: serverFault,
  drift_extra: serverFault,
  stale_jwks: serverFault,
  stale_thumbprint: serverFault,
  upstream_unavailable: serverFault,
  write_failed: serverFault,
  invalid_options: serverFault,
  invalid_config: serverFault,
} as const satisfies Record<ErrorCode, EntraWireCode>)

/**
 * The Entra codes the dialect raises itself, where Entra is more precise than the Tessera code
 * (sources as in the table above; the unknown-tenant and request-shape rows from public
 * issue threads: AADSTS90002, AADSTS900144, AADSTS7000218, AADSTS1002012, AADSTS700016).
 */
export const entraVariants = Object.freeze({
  noMatchingRecord,
  issuerNotFound,
  audienceNotFound,
  subjectNotFound,
  /** Since August 2024 Entra names a subject that matches only ignoring case (cloud-semantics §7). */
  subjectCaseOnly: row(
    7002138,
    'invalid_client',
    401,
    ({ assertion: a }) =>
      `No matching federated identity record found for presented assertion subject '${shown(a?.sub)}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. See documentation at: ${docs}. See breaking change notification and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.`,
  ),
  unknownApplication: row(
    700016,
    'unauthorized_client',
    400,
    ({ clientId, tenant }) =>
      `Application with identifier '${shown(clientId)}' was not found in the directory '${shown(tenant)}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  ),
  unknownTenant: row(
    90002,
    'invalid_tenant',
    400,
    ({ tenant }) =>
      `Tenant '${shown(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
  ),
  missingParameter: (parameter: string) =>
    row(
      900144,
      'invalid_request',
      400,
      () => `The request body must contain the following parameter: '${parameter}'.`,
    ),
  missingAssertion: row(
    7000218,
    'invalid_client',
    401,
    () =>
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  ),
  scopeWithoutDefault: row(
    1002012,
    'invalid_scope',
    400,
    ({ scope }) =>
      `The provided value for scope ${shown(scope)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  ),
  resourceNotFound,
})

const variants = new WeakMap<TesseraError, EntraWireCode>()

/** Marks `error` to be answered with `wire` rather than its code's row; returns the error. */
export function withEntraWire(error: TesseraError, wire: EntraWireCode): TesseraError {
  variants.set(error, wire)
  return error
}

/** The Entra answer for `error`: the variant it was raised with, else its code's row. */
export function entraWireFor(error: TesseraError): EntraWireCode {
  return variants.get(error) ?? wireCodes[error.code]
}
