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

/**
 * Resolves `RoleArn` to a trust policy: the ARN must be an IAM role ARN of `accountId` whose
 * name (after `role/`) is one of `policyNames`. A malformed ARN is STS's ValidationError
 * `Request ARN is invalid`; another account or an unknown name is what STS calls AccessDenied
 * (it gives one text for both), explained here with the account Tessera answers for and the
 * closest policy name.
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
  const [, , account = '', name = ''] = match
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
