import { findClosest, quote, redact, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, missing, tokenTypes } from '../../canonical.ts'
import { maxSamlTokenBytes } from '../../saml-subject.ts'
import { maxPresentedTokenBytes, tokenExchangeGrantType } from '../token-exchange/parse.ts'
import type { GcpDialectSection } from './config-schema.ts'
import { readFields } from './fields.ts'
import {
  findProvider,
  type GcpProvider,
  parseProviderAudience,
  providerAudience,
  providerPolicyName,
} from './provider-name.ts'

/** Longest `options` value Google accepts, in characters. */
export const maxOptionsChars = 4096

/** Subject token types this dialect accepts: the OIDC ones and SAML (Google also takes AWS). */
export const googleSubjectTokenTypes: readonly string[] = Object.freeze([
  tokenTypes.jwt,
  tokenTypes.idToken,
  tokenTypes.saml2,
])

/** A parsed Google STS request: the canonical exchange and the provider it named. */
export interface GoogleStsRequest {
  readonly exchange: CanonicalExchange
  readonly provider: GcpProvider
}

/**
 * Parses Google's STS `POST /v1/token` (form snake_case or JSON camelCase) into the canonical
 * exchange for the provider `audience` names: the subject token is verified and decided by the
 * provider's implied policy `gcp:<pool>:<provider>` and minted for the provider's `target`.
 * `scope` is read and checked for shape but not granted: the federated token's use is decided
 * by generateAccessToken's account policy. A subject token is trimmed at its ends, because
 * google-auth-library sends a token file as read, newline included.
 *
 * @throws {TesseraError} `invalid_request` (check `audience` for a malformed one),
 *   `unsupported_grant_type`, `unsupported_token_type`, `too_large`, `target_not_allowed`
 *   (check `audience`) when no configured provider has that name
 */
export function parseGoogleSts(
  body: unknown,
  section: GcpDialectSection | undefined,
  correlationId = '',
): GoogleStsRequest {
  const fields = readFields(body)
  const grantType = fields.get('grant_type')
  if (grantType === undefined) throw missing('grant_type')
  if (grantType !== tokenExchangeGrantType) {
    throw new TesseraError({
      code: 'unsupported_grant_type',
      message: `grant_type ${quote(grantType)} is not supported: use ${quote(tokenExchangeGrantType)}`,
      expected: tokenExchangeGrantType,
      actual: redact(grantType),
    })
  }
  const requested = fields.get('requested_token_type')
  if (requested === undefined) throw missing('requested_token_type')
  checkType('requested_token_type', requested, [tokenTypes.accessToken])
  const subjectTokenType = fields.get('subject_token_type')
  if (subjectTokenType === undefined) throw missing('subject_token_type')
  checkType('subject_token_type', subjectTokenType, googleSubjectTokenTypes)
  const raw = fields.get('subject_token')
  if (raw === undefined) throw missing('subject_token')
  const bytes = Buffer.byteLength(raw, 'utf8')
  const limit = subjectTokenType === tokenTypes.saml2 ? maxSamlTokenBytes : maxPresentedTokenBytes
  if (bytes > limit) {
    throw new TesseraError({
      code: 'too_large',
      check: 'request',
      message: `subject_token is ${bytes} bytes, more than the limit of ${limit}`,
      expected: `<= ${limit} bytes`,
      actual: `${bytes} bytes`,
    })
  }
  checkScope(fields.get('scope'))
  checkOptions(fields.get('options'))
  const audience = fields.get('audience')
  if (audience === undefined) throw missing('audience')
  const provider = resolveProvider(audience, section)
  return {
    provider,
    exchange: {
      dialect: 'google-sts',
      correlationId,
      subjectToken: raw.trim(),
      subjectTokenType,
      audience: provider.target,
      scopes: [],
      requestedTokenType: tokenTypes.accessToken,
      // Only the provider's own policy may grant: another policy for the same target must not
      // turn a token the provider refuses into a federated token.
      policy: providerPolicyName(provider),
    },
  }
}

function resolveProvider(audience: string, section: GcpDialectSection | undefined): GcpProvider {
  if (parseProviderAudience(audience) === undefined) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'audience',
      message: `audience ${quote(audience)} is not a provider resource name //iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`,
      expected:
        '//iam.googleapis.com/projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER',
      actual: redact(audience),
    })
  }
  const provider = findProvider(section, audience)
  if (provider !== undefined) return provider
  const configured =
    section === undefined
      ? []
      : (section.providers ?? []).map((p) => providerAudience(section.projectNumber, p))
  const hint = findClosest(configured, [audience])?.hint
  throw new TesseraError({
    code: 'target_not_allowed',
    check: 'audience',
    message:
      configured.length === 0
        ? `audience ${quote(audience)} names no provider: no GCP provider is configured (clouds.gcp.providers)`
        : `audience ${quote(audience)} names no configured provider${hint === undefined ? '' : `: ${hint.words}`}`,
    expected: configured.map((c) => redact(c)),
    actual: redact(audience),
    ...(hint === undefined ? {} : { hint: hint.id }),
  })
}

function checkType(field: string, value: string, accepted: readonly string[]): void {
  if (accepted.includes(value)) return
  throw new TesseraError({
    code: 'unsupported_token_type',
    message: `${field} ${quote(value)} is not supported here, expected ${accepted.map((a) => quote(a)).join(' or ')}`,
    expected: [...accepted],
    actual: redact(value),
  })
}

// Google's scopes are URLs; any RFC 6749 §3.3 scope-token is taken.
const scopeToken = /^[\x21\x23-\x5b\x5d-\x7e]+$/

function checkScope(scope: string | undefined): void {
  for (const token of scope?.split(' ') ?? []) {
    if (token === '' || scopeToken.test(token)) continue
    throw new TesseraError({
      code: 'invalid_request',
      message: `scope ${quote(token)} holds a character RFC 6749 §3.3 does not allow in a scope`,
      expected: 'space-separated scopes of printable ASCII other than " and \\',
      actual: redact(token),
    })
  }
}

function checkOptions(options: string | undefined): void {
  if (options === undefined) return
  let parsed: unknown
  if (options.length <= maxOptionsChars) {
    try {
      parsed = JSON.parse(options)
    } catch {
      parsed = undefined
    }
  }
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return
  throw new TesseraError({
    code: 'invalid_request',
    message: `options is not a JSON object of at most ${maxOptionsChars} characters`,
    expected: `a JSON object, <= ${maxOptionsChars} characters`,
    actual: `${options.length} characters`,
  })
}
