import { findClosest, quote, redact, TesseraError } from '@tessera/verify'
import type { ValidatedAssertion } from '../../../saml/index.ts'
import { type CanonicalExchange, tokenTypes } from '../../canonical.ts'
import type { AwsSamlRequest } from './parse.ts'

/** AWS's sign-in endpoint: the Recipient (and an Audience) of assertions IdPs make for AWS. */
export const awsSigninSamlUrl = 'https://signin.aws.amazon.com/saml'

/** The other Audience AWS accepts. */
export const awsSamlAudience = 'urn:amazon:webservices'

/** The SAML attributes AWS reads (names are case-sensitive). */
export const awsSamlAttributes = Object.freeze({
  role: 'https://aws.amazon.com/SAML/Attributes/Role',
  roleSessionName: 'https://aws.amazon.com/SAML/Attributes/RoleSessionName',
  sessionDuration: 'https://aws.amazon.com/SAML/Attributes/SessionDuration',
} as const)

/** A configured SAML IdP as `PrincipalArn` names it. */
export interface AwsSamlProvider {
  /** `samlIdps[].name`: the part after `saml-provider/`. */
  readonly name: string
  readonly entityId: string
}

/** `PrincipalArn`, resolved: the provider and its ARN as sent. */
export interface ResolvedSamlProvider extends AwsSamlProvider {
  readonly arn: string
  readonly accountId: string
}

// arn:PARTITION:iam::ACCOUNT:saml-provider/NAME
const samlProviderArn = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):saml-provider\/([\w.-]+)$/
const sessionNamePattern = /^[\w+=,.@-]{2,64}$/

/**
 * Resolves `PrincipalArn` to a configured SAML IdP of `accountId` by its name. A malformed
 * ARN is STS's ValidationError; another account or an unknown name is refused with the
 * configured provider names (check `principal`, answered as InvalidIdentityToken).
 *
 * @throws {TesseraError} `invalid_request` for a malformed ARN, `issuer_unknown` (check
 * `principal`) for an ARN naming no configured IdP
 */
export function resolveSamlProvider(
  arn: string,
  accountId: string,
  providers: readonly AwsSamlProvider[],
): ResolvedSamlProvider {
  const match = samlProviderArn.exec(arn)
  if (match === null) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: `Request ARN is invalid: PrincipalArn ${quote(arn)} is not an IAM SAML provider ARN arn:aws:iam::<account>:saml-provider/<name>`,
      expected: `arn:aws:iam::${accountId}:saml-provider/<samlIdps name>`,
      actual: redact(arn),
    })
  }
  const [, , account = '', name = ''] = match
  const found = account === accountId ? providers.find((p) => p.name === name) : undefined
  if (found !== undefined) return { ...found, arn, accountId }
  const names = providers.map((p) => p.name)
  const closest = account === accountId ? findClosest(names, [name]) : undefined
  const why =
    account !== accountId
      ? `it names account ${quote(account)}, but Tessera answers for account ${quote(accountId)}`
      : names.length === 0
        ? 'no samlIdps entry has a name'
        : `no samlIdps entry is named ${quote(name)}${closest === undefined ? '' : `; the closest is ${quote(closest.expected)}${closest.hint === undefined ? '' : ` (${closest.hint.words})`}`}`
  throw new TesseraError({
    code: 'issuer_unknown',
    check: 'principal',
    message: `PrincipalArn ${quote(arn)} names no configured SAML provider: ${why}`,
    expected: names.map((n) => `arn:aws:iam::${accountId}:saml-provider/${n}`),
    actual: redact(arn),
    ...(closest?.hint === undefined ? {} : { hint: closest.hint.id }),
  })
}

/**
 * Turns a parsed `AssumeRoleWithSAML` into the canonical exchange: the Response is validated
 * against the IdP `PrincipalArn` names only (another IdP's Response is "Issuer not present in
 * specified provider"), for Tessera's ACS URL and entity ID or AWS's (Recipient
 * `https://signin.aws.amazon.com/saml`, Audience that URL or `urn:amazon:webservices`, as IdPs
 * configured for AWS send), and then must pass AWS's assertion rules before any policy: a
 * `Role` attribute pairing `RoleArn` with `PrincipalArn`, a valid `RoleSessionName`
 * attribute, and a `SessionDuration` attribute (900–43200) that shortens the session.
 */
export function samlExchange(
  request: AwsSamlRequest,
  provider: ResolvedSamlProvider,
  correlationId: string,
): CanonicalExchange {
  return {
    dialect: 'aws-sts',
    correlationId,
    subjectToken: request.samlAssertion,
    subjectTokenType: tokenTypes.saml2,
    scopes: [],
    policy: request.role.name,
    ttlSeconds: request.durationSeconds,
    saml: {
      idpEntityId: provider.entityId,
      alternatives: [
        { spEntityId: awsSamlAudience, acsUrl: awsSigninSamlUrl },
        { spEntityId: awsSigninSamlUrl, acsUrl: awsSigninSamlUrl },
      ],
      accept: (assertion) => checkAwsAssertion(assertion, request, provider),
    },
  }
}

/**
 * AWS's assertion rules for `AssumeRoleWithSAML`, on a validated assertion.
 *
 * @throws {TesseraError} `missing_claim` (no or an invalid Role, RoleSessionName or
 * SessionDuration attribute), `claim_mismatch` (check `role`: no Role value pairs the role
 * with the provider)
 */
export function checkAwsAssertion(
  assertion: ValidatedAssertion,
  request: AwsSamlRequest,
  provider: ResolvedSamlProvider,
): { ttlSeconds: number } {
  const roles = assertion.attributes[awsSamlAttributes.role]
  if (roles === undefined || roles.length === 0) {
    throw attributeProblem(
      'role',
      `the assertion has no ${awsSamlAttributes.role} attribute: the IdP must send "roleArn,principalArn" pairs`,
      '"roleArn,principalArn" values',
      'missing',
    )
  }
  const pairs = roles.map((value) => value.split(',').map((part) => part.trim()))
  // AWS takes a pair in either order.
  const paired = pairs.some(
    (pair) => pair.length === 2 && pair.includes(request.role.arn) && pair.includes(provider.arn),
  )
  if (!paired) {
    throw new TesseraError({
      code: 'claim_mismatch',
      check: 'role',
      message: `no value of the assertion's Role attribute pairs role ${quote(request.role.arn)} with provider ${quote(provider.arn)}: it holds ${roles.map((r) => quote(r)).join(', ')}`,
      expected: `${request.role.arn},${provider.arn}`,
      actual: roles.map((r) => redact(r)),
    })
  }
  sessionNameOf(assertion)
  const durations = assertion.attributes[awsSamlAttributes.sessionDuration]
  if (durations === undefined) return { ttlSeconds: request.durationSeconds }
  const [text = ''] = durations
  const seconds = /^[0-9]{3,5}$/.test(text) ? Number(text) : Number.NaN
  if (durations.length !== 1 || !(seconds >= 900 && seconds <= 43_200)) {
    throw attributeProblem(
      'sessionDuration',
      `the SessionDuration attribute ${durations.map((d) => quote(d)).join(', ')} is not one whole number of seconds from 900 to 43200`,
      'one integer 900–43200',
      durations.map((d) => redact(d)).join(', '),
    )
  }
  return { ttlSeconds: Math.min(seconds, request.durationSeconds) }
}

/**
 * The session name from the `RoleSessionName` attribute (2–64 of `[\w+=,.@-]`).
 *
 * @throws {TesseraError} `missing_claim` when it is absent or invalid
 */
export function sessionNameOf(assertion: ValidatedAssertion): string {
  const names = assertion.attributes[awsSamlAttributes.roleSessionName]
  const [name] = names ?? []
  if (names?.length === 1 && name !== undefined && sessionNamePattern.test(name)) return name
  throw attributeProblem(
    'roleSessionName',
    names === undefined || names.length === 0
      ? `the assertion has no ${awsSamlAttributes.roleSessionName} attribute: AWS takes the session name from it`
      : `the RoleSessionName attribute ${names.map((n) => quote(n)).join(', ')} is not one value of 2–64 characters of [\\w+=,.@-]`,
    'one value of 2–64 characters of [\\w+=,.@-]',
    names === undefined ? 'missing' : names.map((n) => redact(n)).join(', '),
  )
}

function attributeProblem(
  attribute: keyof typeof awsSamlAttributes,
  message: string,
  expected: string,
  actual: string,
): TesseraError {
  return new TesseraError({
    code: 'missing_claim',
    check: 'saml_attribute',
    message,
    expected: `${awsSamlAttributes[attribute]}: ${expected}`,
    actual,
  })
}
