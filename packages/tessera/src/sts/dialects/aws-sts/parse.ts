import { quote, redact, TesseraError } from '@tessera/verify'
import { type CanonicalExchange, tokenTypes } from '../../canonical.ts'
import { type AwsRole, resolveRole } from './role.ts'
import { ValidationErrors } from './validation.ts'

/** The STS API version every query request must name. */
export const stsApiVersion = '2011-06-15'

/** `DurationSeconds` when the request sends none (STS's default). */
export const defaultDurationSeconds = 3600

/** Options of `parseAwsStsRequest`: what the request is resolved against. */
export interface ParseAwsStsOptions {
  /** The server's correlation id (the `RequestId` of the answer). */
  readonly correlationId: string
  /** `clouds.aws.accountId`: the account whose role ARNs Tessera answers for. */
  readonly accountId: string
  /** Names of the configured trust policies: the roles. */
  readonly policyNames: readonly string[]
  /**
   * A role's MaxSessionDuration, seconds: the longest session its policy grants. A
   * `DurationSeconds` above it is refused, as STS refuses it; without this option it is not
   * checked here (the engine still caps the lifetime).
   */
  readonly maxSessionSeconds?: (role: string) => number
}

/** `AssumeRoleWithWebIdentity`, parsed: the canonical exchange and what the answer repeats. */
export interface AwsWebIdentityRequest {
  readonly action: 'AssumeRoleWithWebIdentity'
  /** Restricted to the role's policy, with no target: the policy's own target is minted for. */
  readonly exchange: CanonicalExchange
  readonly role: AwsRole
  readonly sessionName: string
  readonly durationSeconds: number
}

/**
 * `AssumeRoleWithSAML`, parsed and validated: the skeleton the SAML issue completes (it needs
 * a configured SAML identity provider, which Tessera does not have yet).
 */
export interface AwsSamlRequest {
  readonly action: 'AssumeRoleWithSAML'
  readonly role: AwsRole
  readonly principalArn: string
  readonly samlAssertion: string
  readonly durationSeconds: number
}

/** Every action this dialect parses. */
export type AwsStsRequest = AwsWebIdentityRequest | AwsSamlRequest

const actions = ['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'] as const

// Service-model constraints (cloud-semantics.md §1.2).
const sessionNamePattern = /^[\w+=,.@-]*$/
const minDuration = 900
const maxDuration = 43_200
// Policy: \u0009 \u000A \u000D \u0020-\u00FF, 1–2048 characters.
const policyChars = /^[\t\n\r\u0020-\u00ff]*$/

/**
 * Parses an AWS STS query request (`POST /`, form-encoded, unsigned) into the canonical
 * exchange, validating every parameter as STS does and reporting all problems at once in
 * STS's ValidationError sentence. The role ARN must name a trust policy of the configured
 * account; `DurationSeconds` (900–43200, default 3600) becomes the requested lifetime. Sent
 * above the role's `maxSessionSeconds` it is refused with STS's ValidationError ("The requested
 * DurationSeconds exceeds the MaxSessionDuration set for this role."), never silently
 * shortened; the default is shortened to the role's maximum, since STS's default never
 * exceeds a role's (at least one hour) while a Tessera policy may cap lower. Session policies
 * (`Policy`, `PolicyArns.member.N.arn`) are validated and then
 * refused: Tessera has no permissions to intersect them with, and ignoring them would grant
 * more than the caller asked for. The token is passed on exactly as sent (no trimming: STS
 * does not trim either, and the verifier explains stray whitespace).
 *
 * @throws {TesseraError} `invalid_request` (check `action` for an unknown or missing Action
 * or a wrong Version, answered as InvalidAction; otherwise ValidationError, check `duration`
 * for a DurationSeconds above the role's maximum), `no_matching_policy` (check `role`,
 * answered as AccessDenied)
 * @example
 * const parsed = parseAwsStsRequest(form, { correlationId, accountId, policyNames })
 * if (parsed.action === 'AssumeRoleWithWebIdentity') await engine.exchange(parsed.exchange)
 */
export function parseAwsStsRequest(
  form: URLSearchParams,
  options: ParseAwsStsOptions,
): AwsStsRequest {
  const params = readParams(form)
  const sent = params.get('Action')
  const action = actions.find((a) => a === sent)
  if (action === undefined) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'action',
      message:
        sent === undefined
          ? 'Action is missing: send Action=AssumeRoleWithWebIdentity'
          : `Could not find operation ${quote(sent)} for version ${stsApiVersion}: Tessera speaks AssumeRoleWithWebIdentity (and AssumeRoleWithSAML once SAML is configured)`,
      expected: [...actions],
      actual: sent === undefined ? 'missing' : redact(sent),
    })
  }
  const version = params.get('Version')
  if (version !== stsApiVersion) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'action',
      message: `Could not find operation ${action} for version ${quote(version ?? 'missing')}: send Version=${stsApiVersion}`,
      expected: stsApiVersion,
      actual: version === undefined ? 'missing' : redact(version),
    })
  }
  const problems = new ValidationErrors(action)
  const arn = params.get('RoleArn')
  problems.length('roleArn', arn, 20, 2048)
  const duration = readDuration(params.get('DurationSeconds'), problems)
  checkSessionPolicy(params, problems)
  if (action === 'AssumeRoleWithSAML') {
    const principalArn = params.get('PrincipalArn')
    problems.length('principalArn', principalArn, 20, 2048)
    const samlAssertion = params.get('SAMLAssertion')
    problems.length('sAMLAssertion', samlAssertion, 4, 100_000, true)
    problems.throwIfAny()
    refuseSessionPolicy(params)
    const role = resolveRole(arn as string, options.accountId, options.policyNames)
    return {
      action,
      role,
      principalArn: principalArn as string,
      samlAssertion: samlAssertion as string,
      durationSeconds: checkSessionDuration(role, duration, params.has('DurationSeconds'), options),
    }
  }
  const sessionName = params.get('RoleSessionName')
  problems.length('roleSessionName', sessionName, 2, 64)
  if (sessionName !== undefined && !sessionNamePattern.test(sessionName)) {
    problems.add(
      'roleSessionName',
      sessionName,
      'Member must satisfy regular expression pattern: [\\w+=,.@-]*',
    )
  }
  const token = params.get('WebIdentityToken')
  problems.length('webIdentityToken', token, 4, 20_000, true)
  const providerId = params.get('ProviderId')
  problems.throwIfAny()
  if (providerId !== undefined) {
    // ProviderId is only for OAuth 2.0 access tokens of Login with Amazon and Facebook; STS
    // refuses it with an OpenID Connect ID token, the only kind Tessera accepts.
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: `ProviderId ${quote(providerId)} is only for OAuth 2.0 access tokens of www.amazon.com and graph.facebook.com: leave it out for an OpenID Connect token`,
      expected: 'no ProviderId',
      actual: redact(providerId),
    })
  }
  refuseSessionPolicy(params)
  const role = resolveRole(arn as string, options.accountId, options.policyNames)
  const seconds = checkSessionDuration(role, duration, params.has('DurationSeconds'), options)
  return {
    action,
    exchange: {
      dialect: 'aws-sts',
      correlationId: options.correlationId,
      subjectToken: token as string,
      subjectTokenType: tokenTypes.idToken,
      scopes: [],
      policy: role.name,
      ttlSeconds: seconds,
    },
    role,
    sessionName: sessionName as string,
    durationSeconds: seconds,
  }
}

/** The parameters, each at most once; an empty value is kept (STS checks its length). */
function readParams(form: URLSearchParams): Map<string, string> {
  const params = new Map<string, string>()
  for (const [name, value] of form) {
    if (params.has(name)) {
      throw new TesseraError({
        code: 'invalid_request',
        check: 'request',
        message: `${quote(name)} is sent more than once: each parameter may appear once`,
        expected: `${redact(name)} once`,
        actual: `${redact(name)} more than once`,
      })
    }
    params.set(name, value)
  }
  return params
}

function readDuration(value: string | undefined, problems: ValidationErrors): number {
  if (value === undefined) return defaultDurationSeconds
  const seconds = /^[0-9]{1,9}$/.test(value) ? Number(value) : Number.NaN
  if (Number.isNaN(seconds)) problems.add('durationSeconds', value, 'Member must be an integer')
  else if (seconds < minDuration) {
    problems.add(
      'durationSeconds',
      value,
      `Member must have value greater than or equal to ${minDuration}`,
    )
  } else if (seconds > maxDuration) {
    problems.add(
      'durationSeconds',
      value,
      `Member must have value less than or equal to ${maxDuration}`,
    )
  }
  return seconds
}

/** STS's words when DurationSeconds is above the role's MaxSessionDuration (§1.5). */
export const durationExceedsMessage =
  'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'

// The session length: as sent when within the role's maximum, else refused; the default is
// shortened to the maximum instead (a caller that asked for nothing asked for nothing too long).
function checkSessionDuration(
  role: AwsRole,
  duration: number,
  sent: boolean,
  options: ParseAwsStsOptions,
): number {
  const max = options.maxSessionSeconds?.(role.name)
  if (max === undefined || duration <= max) return duration
  if (!sent) return max
  throw new TesseraError({
    code: 'invalid_request',
    check: 'duration',
    message: `${durationExceedsMessage} DurationSeconds ${duration} is above ${max}, the longest session role ${quote(role.name)} grants (its policy's maxTtlSeconds, at most the issuer's accessTokenTtlSeconds): ask for at most ${max} seconds`,
    expected: `DurationSeconds <= ${max}`,
    actual: String(duration),
  })
}

// awsQuery lists are 1-based: PolicyArns.member.1.arn, PolicyArns.member.2.arn, …
const policyArnParam = /^PolicyArns\.member\.([0-9]+)\.arn$/

function policyArns(params: Map<string, string>): string[] {
  return [...params.keys()].filter((name) => policyArnParam.test(name))
}

function checkSessionPolicy(params: Map<string, string>, problems: ValidationErrors): void {
  const policy = params.get('Policy')
  if (policy !== undefined) {
    problems.length('policy', policy, 1, 2048)
    if (!policyChars.test(policy)) {
      problems.add(
        'policy',
        policy,
        'Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
      )
    }
  }
  const arns = policyArns(params)
  // The service model documents at most 10 managed session policies.
  if (arns.length > 10) {
    problems.add(
      'policyArns',
      `${arns.length} ARNs`,
      'Member must have length less than or equal to 10',
    )
  }
  for (const name of arns) problems.length('policyArns.member.arn', params.get(name), 20, 2048)
}

function refuseSessionPolicy(params: Map<string, string>): void {
  const sent = [...(params.has('Policy') ? ['Policy'] : []), ...policyArns(params)]
  if (sent.length === 0) return
  throw new TesseraError({
    code: 'invalid_request',
    check: 'request',
    message: `session policies (${sent.join(', ')}) are not supported: Tessera's trust policy alone decides the session (its targets and scopes); send the request without Policy and PolicyArns`,
    expected: 'no Policy and no PolicyArns',
    actual: sent,
  })
}
