import { type Static, Type } from 'typebox'

const workloadsSchema = Type.Array(
  Type.String({
    pattern: '^spiffe://',
    maxLength: 255,
    description:
      'SPIFFE ID of a workload in the trust domain, or a glob of them (* and ?, never a bare *).',
  }),
  { minItems: 1, uniqueItems: true, description: 'Workloads whose tokens the role accepts.' },
)

const roleSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[\\w+=,.@-]{1,64}$',
      description:
        'IAM role name (arn:aws:iam::<accountId>:role/<name>) whose trust policy is exported.',
    }),
    workloads: workloadsSchema,
    audience: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        description:
          'aud of the tokens the workloads present (an inventory audience); default sts.amazonaws.com.',
      }),
    ),
    maxSessionDurationSeconds: Type.Optional(
      Type.Integer({
        minimum: 3600,
        maximum: 43200,
        description: "The role's MaxSessionDuration (IAM allows 1 to 12 hours).",
      }),
    ),
  },
  { additionalProperties: false },
)

/** JSON Schema (TypeBox) of `clouds.aws`: the AWS STS query dialect. */
export const awsDialectSchema = Type.Object(
  {
    accountId: Type.String({
      pattern: '^[0-9]{12}$',
      description:
        'Twelve-digit account id of the role ARNs Tessera answers for: arn:aws:iam::<accountId>:role/<policy name>.',
    }),
    roles: Type.Optional(
      Type.Array(roleSchema, {
        description:
          'Real IAM roles that trust Tessera as an OIDC provider: `tessera cloud export --aws` writes the provider and their trust policies, `tessera doctor cloud` checks them.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'AWS STS query API (AssumeRoleWithWebIdentity): trust policies are addressed as roles by an ARN-shaped name.',
  },
)

/** `clouds.aws` as written in `tessera.yaml`. */
export type AwsDialectSection = Static<typeof awsDialectSchema>
