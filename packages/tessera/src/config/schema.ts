import { type Static, Type } from 'typebox'
import { issuerSectionSchema } from '../issuer/index.ts'
import { inventorySchema, policySchema } from '../policy/index.ts'
import { storeSectionSchema } from '../store/index.ts'
import { cloudsSectionSchema } from './sections/clouds.ts'
import { samlIdpsSectionSchema, samlSectionSchema } from './sections/saml-idps.ts'
import { serverSectionSchema } from './sections/server.ts'
import { telemetrySectionSchema } from './sections/telemetry.ts'
import { trustDomainSchema } from './sections/trust-domain.ts'
import { trustedIssuersSectionSchema } from './sections/trusted-issuers.ts'

/** The JSON Schema dialect the published schema declares (TypeBox emits 2020-12 keywords). */
export const jsonSchemaDialect = 'https://json-schema.org/draft/2020-12/schema'

const title = 'tessera.yaml'
const description =
  'Configuration of Tessera, workload-identity federation: its server and issuer, the trusted external issuers, the inventory of services and audiences, the trust policies, storage and telemetry. Secrets never live in it: only env:NAME or file:PATH references.'

/**
 * The whole `tessera.yaml` as one TypeBox schema, assembled from the sections each part owns
 * (server, trustDomain, trustedIssuers and telemetry here; issuer, inventory, policies and
 * store in their parts). Unknown keys are errors at every level. An absent optional section
 * gets its defaults through the section's `default`, so `Value.Default` fills it in.
 */
export const configSchema = Type.Object(
  {
    server: serverSectionSchema,
    trustDomain: trustDomainSchema,
    issuer: Type.Optional(Type.With(issuerSectionSchema, { default: {} })),
    trustedIssuers: Type.Optional(Type.With(trustedIssuersSectionSchema, { default: [] })),
    samlIdps: Type.Optional(Type.With(samlIdpsSectionSchema, { default: [] })),
    saml: Type.Optional(samlSectionSchema),
    inventory: Type.Optional(Type.With(inventorySchema, { default: { services: [] } })),
    policies: Type.Optional(
      Type.Array(policySchema, {
        default: [],
        description:
          'Trust policies: which presented identities (issuer, audience, subject, claims, condition) may obtain which credentials.',
      }),
    ),
    clouds: Type.Optional(Type.With(cloudsSectionSchema, { default: {} })),
    store: Type.Optional(Type.With(storeSectionSchema, { default: {} })),
    telemetry: Type.Optional(Type.With(telemetrySectionSchema, { default: {} })),
  },
  {
    additionalProperties: false,
    title,
    description,
  },
)

/** A `tessera.yaml` document as the schema types it (optional sections may be absent). */
export type ConfigDocument = Static<typeof configSchema>

/**
 * The published JSON Schema of `tessera.yaml` (`docs/tessera.schema.json`): stable, pretty
 * JSON with a trailing newline, declaring its dialect, so editors can validate and complete
 * the file (`# yaml-language-server: $schema=…`).
 */
export function renderSchemaJson(): string {
  // Title and description first, for a reader of the file; the spread keeps their position.
  const document = { $schema: jsonSchemaDialect, title, description, ...configSchema }
  return `${JSON.stringify(document, null, 2)}\n`
}
