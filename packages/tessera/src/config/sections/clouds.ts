import { type Static, Type } from 'typebox'
import { awsDialectSchema, entraDialectSchema, gcpDialectSchema } from '../../sts/index.ts'

/** JSON Schema (TypeBox) of the `clouds` section: the cloud wire dialects Tessera speaks. */
export const cloudsSectionSchema = Type.Object(
  {
    aws: Type.Optional(awsDialectSchema),
    entra: Type.Optional(entraDialectSchema),
    gcp: Type.Optional(gcpDialectSchema),
  },
  {
    additionalProperties: false,
    description:
      "Cloud wire dialects: AWS STS, Entra client assertions, Google STS. Absent: the dialect's endpoints answer that it is not configured.",
  },
)

/** The `clouds` section as written in `tessera.yaml`. */
export type CloudsSection = Static<typeof cloudsSectionSchema>
