import { type Static, Type } from 'typebox'

/** JSON Schema (TypeBox) of `clouds.aws`: the AWS STS query dialect. */
export const awsDialectSchema = Type.Object(
  {
    accountId: Type.String({
      pattern: '^[0-9]{12}$',
      description:
        'Twelve-digit account id of the role ARNs Tessera answers for: arn:aws:iam::<accountId>:role/<policy name>.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'AWS STS query API (AssumeRoleWithWebIdentity): trust policies are addressed as roles by an ARN-shaped name.',
  },
)

/** `clouds.aws` as written in `tessera.yaml`. */
export type AwsDialectSection = Static<typeof awsDialectSchema>
