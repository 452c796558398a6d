import { findClosest, quote, redact, TesseraError } from '@tessera/verify'

/** A role named by `RoleArn`: a Tessera trust policy in the configured account. */
export interface AwsRole {
  /** The ARN as the caller sent it. */
  readonly arn: string
  readonly accountId: string
  /** Everything after `role/`: the name of the trust policy. */
  readonly name: string
}

// arn:PARTITION:iam::ACCOUNT:role/NAME — IAM role ARNs carry no region.
const roleArn = /^arn:(aws|aws-cn|aws-us-gov):iam::([0-9]{12}):role\/(.+)$/
// IAM's RoleName pattern: no `:`, so no Entra or GCP implied policy (`gcp:sa:<email>`) is a role.
const roleName = /^[\w+=,.@-]{1,64}$/

/**
 * Resolves `RoleArn` to a trust policy: the ARN must be an IAM role ARN of `accountId` whose
 * name (after `role/`) is one of `policyNames`. A malformed ARN is STS's ValidationError
 * `Request ARN is invalid`; another account or an unknown name is what STS calls AccessDenied
 * (it gives one text for both), explained here with the account Tessera answers for and the
 * closest policy name. Only the `aws` partition, and only names IAM allows
 * (`[\w+=,.@-]{1,64}`), are roles: the other dialects' implied policies (`gcp:sa:<email>`) are not.
 *
 * @throws {TesseraError} `invalid_request` for a malformed ARN, `no_matching_policy` for an
 * ARN naming no policy
 */
export function resolveRole(
  arn: string,
  accountId: string,
  policyNames: readonly string[],
): AwsRole {
  const match = roleArn.exec(arn)
  if (match === null) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'request',
      message: `Request ARN is invalid: ${quote(arn)} is not an IAM role ARN arn:aws:iam::<account>:role/<name>`,
      expected: `arn:aws:iam::${accountId}:role/<policy name>`,
      actual: redact(arn),
    })
  }
  const [, partition = '', account = '', name = ''] = match
  // Tessera answers as STS in the aws partition; a role of another partition does not exist here.
  if (partition !== 'aws') {
    throw new TesseraError({
      code: 'no_matching_policy',
      check: 'role',
      message: `RoleArn is in partition ${quote(partition)}, but Tessera answers for the aws partition: use arn:aws:iam::${accountId}:role/<policy name>`,
      expected: 'aws',
      actual: redact(partition),
    })
  }
  if (!roleName.test(name)) {
    throw new TesseraError({
      code: 'no_matching_policy',
      check: 'role',
      message: `role name ${quote(name)} is not an IAM role name ([\\w+=,.@-]{1,64}): only such trust policies are roles`,
      expected: '[\\w+=,.@-]{1,64}',
      actual: redact(name),
    })
  }
  if (account !== accountId) {
    throw new TesseraError({
      code: 'no_matching_policy',
      check: 'role',
      message: `RoleArn names account ${quote(account)}, but Tessera answers for account ${quote(accountId)}: use arn:aws:iam::${accountId}:role/<policy name>`,
      expected: accountId,
      actual: redact(account),
    })
  }
  if (!policyNames.includes(name)) {
    const closest = findClosest(policyNames, [name])
    const suggestion =
      closest === undefined
        ? 'no trust policy is configured'
        : `the closest policy is ${quote(closest.expected)} (arn:aws:iam::${accountId}:role/${redact(closest.expected)})${closest.hint === undefined ? '' : `: ${closest.hint.words}`}`
    throw new TesseraError({
      code: 'no_matching_policy',
      check: 'role',
      message: `role ${quote(name)} is not a Tessera trust policy: ${suggestion}`,
      expected: closest === undefined ? 'a trust policy name' : redact(closest.expected),
      actual: redact(name),
      ...(closest?.hint === undefined ? {} : { hint: closest.hint.id }),
    })
  }
  return { arn, accountId: account, name }
}
