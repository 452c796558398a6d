import {
  type ErrorCode,
  type HintId,
  hintIds,
  isErrorCode,
  quote,
  redact,
  TesseraError,
} from '@tessera/verify'
import { type Fetch, postForm } from './post-form.ts'
import { parseStsAnswer } from './sts-xml.ts'

/** The audience AWS STS expects in a web identity token (the IAM OIDC provider's client id). */
export const awsDefaultAudience = 'sts.amazonaws.com'

/** What `credential_process` prints: the AWS CLI and SDKs read Version 1 of this shape. */
export interface AwsProcessCredentials {
  readonly Version: 1
  readonly AccessKeyId: string
  readonly SecretAccessKey: string
  readonly SessionToken?: string
  readonly Expiration?: string
}

/** Inputs of `awsCredentialProcess`. */
export interface AwsCredentialProcessInput {
  /** The STS endpoint: Tessera's AWS dialect (`POST /` at its base URL) or AWS STS. */
  readonly endpoint: string
  readonly roleArn: string
  readonly sessionName: string
  /** The web identity token (the agent's token for the STS audience). */
  readonly token: string
  readonly durationSeconds?: number
  readonly fetch?: Fetch
  /** Deadline of the STS call, milliseconds. Default 10 000. */
  readonly timeoutMs?: number
}

// STS's codes for a web identity refusal, as Tessera's table names them, for an STS that does
// not send Tessera-Error-Code (real AWS).
const stsCodes: Readonly<Record<string, ErrorCode>> = {
  InvalidIdentityToken: 'malformed',
  ExpiredTokenException: 'expired',
  IDPRejectedClaim: 'claim_mismatch',
  IDPCommunicationError: 'jwks_unavailable',
  AccessDenied: 'policy_denied',
  ValidationError: 'invalid_request',
}

const maxShownMessage = 1000

/**
 * Calls `AssumeRoleWithWebIdentity` (unsigned, form-encoded, as the SDKs send it) and returns
 * the `credential_process` JSON. A refusal keeps STS's code and Tessera's explanation (the
 * `Tessera-Error-Code`/`-Hint` headers of its dialect) and never the token.
 * @throws {TesseraError} the code Tessera's dialect reports (else one mapped from STS's code),
 * `upstream_unavailable` when STS cannot be reached or answers something unreadable
 */
export async function awsCredentialProcess(
  input: AwsCredentialProcessInput,
): Promise<AwsProcessCredentials> {
  const form = new URLSearchParams({
    Action: 'AssumeRoleWithWebIdentity',
    Version: '2011-06-15',
    RoleArn: input.roleArn,
    RoleSessionName: input.sessionName,
    WebIdentityToken: input.token,
  })
  if (input.durationSeconds !== undefined)
    form.set('DurationSeconds', String(input.durationSeconds))
  const endpoint = new URL(input.endpoint).href
  const answer = await postForm(endpoint, form, {
    ...(input.fetch === undefined ? {} : { fetch: input.fetch }),
    ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
  })
  const parsed = parseStsAnswer(answer.text)
  if (parsed.kind === 'error' || answer.status < 200 || answer.status > 299) {
    const wireCode = parsed.kind === 'error' ? parsed.code : `HTTP ${answer.status}`
    const wireMessage = parsed.kind === 'error' ? parsed.message : ''
    const tesseraCode = answer.headers.get('tessera-error-code') ?? ''
    const hint = answer.headers.get('tessera-error-hint') ?? ''
    const code: ErrorCode = isErrorCode(tesseraCode)
      ? tesseraCode
      : (stsCodes[wireCode] ?? 'upstream_unavailable')
    const shown =
      wireMessage.length > maxShownMessage
        ? `${wireMessage.slice(0, maxShownMessage)}…`
        : wireMessage
    throw new TesseraError({
      code,
      check: 'delivery',
      message: `STS refused AssumeRoleWithWebIdentity for ${quote(input.roleArn)}: ${wireCode}${shown === '' ? '' : `: ${shown}`}`,
      actual: redact(wireCode),
      ...((hintIds as readonly string[]).includes(hint) ? { hint: hint as HintId } : {}),
    })
  }
  if (parsed.kind !== 'credentials') {
    throw new TesseraError({
      code: 'upstream_unavailable',
      check: 'delivery',
      message: `STS at ${quote(endpoint)} answered HTTP ${answer.status} without credentials: ${parsed.reason}`,
    })
  }
  if (parsed.expiration !== undefined && Number.isNaN(Date.parse(parsed.expiration))) {
    throw new TesseraError({
      code: 'upstream_unavailable',
      check: 'delivery',
      message: `STS at ${quote(endpoint)} answered an Expiration that is not an RFC 3339 time`,
      expected: 'RFC 3339 time',
      actual: redact(parsed.expiration),
    })
  }
  return {
    Version: 1,
    AccessKeyId: parsed.accessKeyId,
    SecretAccessKey: parsed.secretAccessKey,
    ...(parsed.sessionToken === undefined ? {} : { SessionToken: parsed.sessionToken }),
    ...(parsed.expiration === undefined ? {} : { Expiration: parsed.expiration }),
  }
}

/** Inputs of `awsEnvironment`. */
export interface AwsEnvironmentInput {
  readonly tokenFile: string
  readonly roleArn: string
  readonly sessionName?: string
  /** Set only when STS is Tessera's AWS dialect (or another non-default endpoint). */
  readonly stsEndpoint?: string
}

/**
 * The environment the AWS SDKs' web identity provider reads: the token file (read untrimmed,
 * which the agent's files satisfy: no trailing newline) and the role, plus
 * `AWS_ENDPOINT_URL_STS` when STS is not AWS's own.
 */
export function awsEnvironment(input: AwsEnvironmentInput): Record<string, string> {
  return {
    AWS_WEB_IDENTITY_TOKEN_FILE: input.tokenFile,
    AWS_ROLE_ARN: input.roleArn,
    ...(input.sessionName === undefined ? {} : { AWS_ROLE_SESSION_NAME: input.sessionName }),
    ...(input.stsEndpoint === undefined ? {} : { AWS_ENDPOINT_URL_STS: input.stsEndpoint }),
  }
}
