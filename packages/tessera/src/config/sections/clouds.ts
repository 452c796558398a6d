import { type Static, Type } from 'typebox'
import { azureCloudSchema } from '../../cloud/export/azure-schema.ts'
import { awsDialectSchema, entraDialectSchema, gcpDialectSchema } from '../../sts/index.ts'

/** JSON Schema (TypeBox) of the `clouds` section: the cloud wire dialects Tessera speaks. */
export const cloudsSectionSchema = Type.Object(
  {
    aws: Type.Optional(awsDialectSchema),
    azure: Type.Optional(azureCloudSchema),
    entra: Type.Optional(entraDialectSchema),
    gcp: Type.Optional(gcpDialectSchema),
  },
  {
    additionalProperties: false,
    description:
      "Cloud wire dialects (AWS STS, Entra client assertions, Google STS; absent: the dialect's endpoints answer that it is not configured), and the real clouds trusting Tessera as an OIDC issuer (aws.roles, gcp.pools, azure.identities) for `tessera cloud export` and `tessera doctor cloud`.",
  },
)

/** The `clouds` section as written in `tessera.yaml`. */
export type CloudsSection = Static<typeof cloudsSectionSchema>
