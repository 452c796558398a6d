import { type Static, Type } from 'typebox'
import { memberPattern } from './members.ts'

const providerSchema = Type.Object(
  {
    pool: Type.String({ minLength: 1, description: 'Workload identity pool id.' }),
    provider: Type.String({ minLength: 1, description: 'Provider id inside the pool.' }),
    issuer: Type.String({ minLength: 1, description: 'issuer-uri: compared with iss exactly.' }),
    target: Type.String({
      minLength: 1,
      description:
        'Inventory audience identifier the federated (STS) access token is minted for; generateAccessToken accepts tokens with this aud.',
    }),
    allowedAudiences: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'Accepted aud; when empty, the provider resource name //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X, with or without https:.',
      }),
    ),
    attributeMapping: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'CEL expressions over assertion; google.subject is required by Google.',
      }),
    ),
    attributeCondition: Type.Optional(
      Type.String({ description: 'CEL condition over assertion and attribute.' }),
    ),
  },
  { additionalProperties: false },
)

const serviceAccountSchema = Type.Object(
  {
    email: Type.String({
      minLength: 3,
      description: 'Service account e-mail addressed by generateAccessToken.',
    }),
    target: Type.String({
      minLength: 1,
      description: 'Inventory service name the access tokens are for.',
    }),
    scopes: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        description:
          'OAuth scopes generateAccessToken may grant (e.g. https://www.googleapis.com/auth/cloud-platform); none when absent.',
      }),
    ),
    members: Type.Array(
      Type.String({
        pattern: memberPattern,
        maxLength: 512,
        description:
          'principal://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/subject/S (one federated subject) or principalSet://iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/* (every identity of the pool).',
      }),
      {
        minItems: 1,
        uniqueItems: true,
        description:
          'Who may impersonate the account (its roles/iam.workloadIdentityUser binding): only STS tokens of these pools, and of these subjects, are accepted.',
      },
    ),
  },
  { additionalProperties: false },
)

const poolSchema = Type.Object(
  {
    pool: Type.String({
      pattern: '^[a-z0-9-]{4,32}$',
      description: 'Workload identity pool id in Google Cloud.',
    }),
    provider: Type.String({
      pattern: '^[a-z0-9-]{4,32}$',
      description: 'OIDC provider id inside the pool, trusting Tessera as issuer.',
    }),
    workloads: Type.Array(
      Type.String({
        pattern: '^spiffe://',
        maxLength: 255,
        description:
          'SPIFFE ID of a workload, or a glob of them (* and ?); an exact ID becomes google.subject (at most 127 bytes).',
      }),
      { minItems: 1, uniqueItems: true, description: 'Workloads the provider admits.' },
    ),
    audience: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'aud of the tokens the workloads present (an inventory audience); default //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X.',
      }),
    ),
    serviceAccount: Type.Optional(
      Type.String({
        pattern: '^[^@\\s]+@[^@\\s]+$',
        description:
          'Service account e-mail the workloads impersonate (roles/iam.workloadIdentityUser binding).',
      }),
    ),
  },
  { additionalProperties: false },
)

/** JSON Schema (TypeBox) of `clouds.gcp`: Google STS and IAM Credentials. */
export const gcpDialectSchema = Type.Object(
  {
    projectNumber: Type.String({
      pattern: '^[0-9]+$',
      description: 'Project number in provider resource names.',
    }),
    // Optional so that a configuration that only declares `pools` (for `cloud export`) need
    // not spell out empty lists; readers treat an absent list as empty.
    providers: Type.Optional(
      Type.Array(providerSchema, {
        default: [],
        description: 'Workload identity pool providers (what STS accepts as audience).',
      }),
    ),
    serviceAccounts: Type.Optional(
      Type.Array(serviceAccountSchema, {
        default: [],
        description: 'Service accounts generateAccessToken may impersonate.',
      }),
    ),
    pools: Type.Optional(
      Type.Array(poolSchema, {
        description:
          'Real Google Cloud workload identity pools that trust Tessera as an OIDC issuer: `tessera cloud export --gcp` writes them, `tessera doctor cloud` checks them.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'Google STS (RFC 8693 flavour) and generateAccessToken impersonation.',
  },
)

/** `clouds.gcp` as written in `tessera.yaml`. */
export type GcpDialectSection = Static<typeof gcpDialectSchema>
