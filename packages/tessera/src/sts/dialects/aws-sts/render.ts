import { createHash } from 'node:crypto'
import { codes, decodeJwt, isTesseraError, TesseraError } from '@tessera/verify'
import { callerExposure, policyOf } from '../../../policy/index.ts'
import type { ExchangeResult } from '../../types.ts'
import { accessKeyIdFor, assumedRoleIdFor, newSecretAccessKey } from './credentials.ts'
import type { AwsSamlRequest, AwsWebIdentityRequest } from './parse.ts'
import { type ResolvedSamlProvider, sessionNameOf } from './saml.ts'
import { awsSamlWireCodes, awsSamlWireCodesByCheck } from './saml-wire-codes.ts'
import { type AwsWireCode, awsWireCodes, awsWireCodesByCheck } from './wire-codes.ts'
import { element } from './xml.ts'

/** An HTTP answer of the AWS STS dialect: status, XML body and headers to set. */
export interface AwsStsResponse {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

/** The XML namespace of STS API version 2011-06-15. */
export const stsNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/'

// Tokens of any size the engine accepted decode again here; the cap only bounds the work.
const maxDecodeBytes = 64 * 1024

// STS answers text/xml; the SDK reads the request id only from x-amzn-RequestId (never from
// the body), so the correlation id goes there too. Credentials must not be cached.
function headersFor(correlationId: string): Record<string, string> {
  return {
    'content-type': 'text/xml',
    'cache-control': 'no-store',
    'x-amzn-RequestId': correlationId,
  }
}

function firstAudience(aud: unknown): string {
  if (typeof aud === 'string') return aud
  return Array.isArray(aud) && typeof aud[0] === 'string' ? aud[0] : ''
}

// RFC 3339 in STS's form, whole seconds: 2019-11-09T13:34:41Z.
function rfc3339(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/**
 * Renders a successful `AssumeRoleWithWebIdentity` as STS does: `Credentials` (an `ASIA…` key
 * id derived from the minted token's jti, a random secret, Tessera's access token as
 * `SessionToken`, its `exp` as `Expiration`), the presented token's `sub`, `iss` and `aud` as
 * `SubjectFromWebIdentityToken`, `Provider` and `Audience`, the `AssumedRoleUser` of the
 * role and session, and the correlation id as `RequestId`. The result wrapper is required:
 * without it the SDK returns no credentials and no error.
 */
export function renderAssumeRoleWithWebIdentity(
  result: ExchangeResult,
  request: AwsWebIdentityRequest,
): AwsStsResponse {
  // Both tokens were verified or minted by the engine a moment ago; only their claims are read.
  const presented = decodeJwt(request.exchange.subjectToken, maxDecodeBytes).claims
  const minted = decodeJwt(result.accessToken, maxDecodeBytes).claims
  const { role, sessionName } = request
  const partition = role.arn.split(':')[1] as string
  const body =
    `<AssumeRoleWithWebIdentityResponse xmlns="${stsNamespace}">` +
    '<AssumeRoleWithWebIdentityResult>' +
    '<Credentials>' +
    element('AccessKeyId', accessKeyIdFor(String(minted.jti))) +
    element('SecretAccessKey', newSecretAccessKey()) +
    element('SessionToken', result.accessToken) +
    element('Expiration', rfc3339(Number(minted.exp))) +
    '</Credentials>' +
    element('SubjectFromWebIdentityToken', String(presented.sub ?? '')) +
    '<AssumedRoleUser>' +
    element('AssumedRoleId', assumedRoleIdFor(role.arn, sessionName)) +
    element(
      'Arn',
      `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    ) +
    '</AssumedRoleUser>' +
    element('Provider', String(presented.iss ?? '')) +
    element('Audience', firstAudience(presented.aud)) +
    '</AssumeRoleWithWebIdentityResult>' +
    `<ResponseMetadata>${element('RequestId', result.correlationId)}</ResponseMetadata>` +
    '</AssumeRoleWithWebIdentityResponse>'
  return { status: 200, body, headers: headersFor(result.correlationId) }
}

// AWS strips this prefix from the NameID Format in SubjectType (persistent, transient, …).
const nameIdFormatPrefix = 'urn:oasis:names:tc:SAML:2.0:nameid-format:'

/**
 * Renders a successful `AssumeRoleWithSAML` as STS does: `Credentials` as for web identity,
 * the `AssumedRoleUser` of the role and the `RoleSessionName` attribute, `Audience` (the
 * Recipient the assertion was accepted for), `Issuer`, `NameQualifier` (base64 SHA-1 of
 * issuer + account + "/" + provider name: AWS's documented formula for an identifier, not a
 * security use of SHA-1), `Subject` (the NameID) and `SubjectType` (the NameID Format without
 * the `urn:oasis:names:tc:SAML:2.0:nameid-format:` prefix).
 */
export function renderAssumeRoleWithSAML(
  result: ExchangeResult,
  request: AwsSamlRequest,
  provider: ResolvedSamlProvider,
): AwsStsResponse {
  const saml = result.saml
  if (saml === undefined) {
    throw new TesseraError({
      code: 'internal_error',
      message: 'AssumeRoleWithSAML answered without a validated assertion',
    })
  }
  const { assertion } = saml
  const minted = decodeJwt(result.accessToken, maxDecodeBytes).claims
  const { role } = request
  const sessionName = sessionNameOf(assertion)
  const partition = role.arn.split(':')[1] as string
  const format = assertion.nameIdFormat ?? `${nameIdFormatPrefix}unspecified`
  const qualifier = createHash('sha1')
    .update(`${assertion.issuer}${provider.accountId}/${provider.name}`)
    .digest('base64')
  const body =
    `<AssumeRoleWithSAMLResponse xmlns="${stsNamespace}">` +
    '<AssumeRoleWithSAMLResult>' +
    '<Credentials>' +
    element('AccessKeyId', accessKeyIdFor(String(minted.jti))) +
    element('SecretAccessKey', newSecretAccessKey()) +
    element('SessionToken', result.accessToken) +
    element('Expiration', rfc3339(Number(minted.exp))) +
    '</Credentials>' +
    '<AssumedRoleUser>' +
    element('AssumedRoleId', assumedRoleIdFor(role.arn, sessionName)) +
    element(
      'Arn',
      `arn:${partition}:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    ) +
    '</AssumedRoleUser>' +
    element('Audience', saml.acsUrl) +
    element('Issuer', assertion.issuer) +
    element('NameQualifier', qualifier) +
    element('Subject', assertion.nameId) +
    element(
      'SubjectType',
      format.startsWith(nameIdFormatPrefix) ? format.slice(nameIdFormatPrefix.length) : format,
    ) +
    '</AssumeRoleWithSAMLResult>' +
    `<ResponseMetadata>${element('RequestId', result.correlationId)}</ResponseMetadata>` +
    '</AssumeRoleWithSAMLResponse>'
  return { status: 200, body, headers: headersFor(result.correlationId) }
}

/**
 * The STS error code, status and fault type an error is answered with; `AssumeRoleWithSAML`
 * answers some codes in its own words (`awsSamlWireCodes`).
 */
export function awsWireCodeOf(error: TesseraError, action?: string): AwsWireCode {
  const saml =
    action === 'AssumeRoleWithSAML'
      ? (awsSamlWireCodesByCheck[error.check] ?? awsSamlWireCodes[error.code])
      : undefined
  return saml ?? awsWireCodesByCheck[error.check] ?? awsWireCodes[error.code]
}

/**
 * Renders a rejection as STS's XML error document — `<ErrorResponse><Error><Type>`, `<Code>`,
 * `<Message></Error><RequestId>` — with a non-2xx status (the SDK takes an error document with
 * 200 for a success), the `x-amzn-RequestId` header, and `Tessera-Error-Code` (and
 * `Tessera-Error-Hint`) headers. `<Message>` is STS's own text followed by Tessera's
 * explanation, as much as the code's exposure allows (as in the token-exchange dialect: the
 * message for `detail`, the code's summary and the deciding policy for `summary`, the summary
 * alone for `opaque`). An unknown role is explained in full: it names only the caller's ARN and
 * policy names, which a summary would name anyway. Anything that is not a `TesseraError` is an
 * opaque `InternalFailure`.
 */
export function renderAwsStsError(
  error: unknown,
  correlationId: string,
  action?: string,
): AwsStsResponse {
  const known = isTesseraError(error)
    ? error
    : new TesseraError({ code: 'internal_error', message: 'unexpected failure', cause: error })
  const wire = awsWireCodeOf(known, action)
  const exposure = known.check === 'role' ? 'detail' : callerExposure(known)
  const policy = policyOf(known)
  let explanation: string = codes[known.code].summary
  if (exposure === 'detail') explanation = known.message
  else if (exposure === 'summary') {
    if (policy !== undefined) explanation += ` (policy "${policy}")`
    // A condition's message is the policy author's own text, written for the caller.
    if (known.code === 'condition_failed') explanation += `: ${known.message}`
  }
  const message = explanation.startsWith(wire.message)
    ? `${explanation} (Tessera ${known.code})`
    : `${wire.message}${wire.message.endsWith('.') ? '' : '.'} Tessera ${known.code}: ${explanation}`
  const body =
    `<ErrorResponse xmlns="${stsNamespace}">` +
    `<Error>${element('Type', wire.type)}${element('Code', wire.code)}${element('Message', message)}</Error>` +
    element('RequestId', correlationId) +
    '</ErrorResponse>'
  const headers: Record<string, string> = {
    ...headersFor(correlationId),
    'tessera-error-code': known.code,
  }
  if (exposure !== 'opaque' && known.hint !== undefined) headers['tessera-error-hint'] = known.hint
  return { status: wire.status, body, headers }
}
