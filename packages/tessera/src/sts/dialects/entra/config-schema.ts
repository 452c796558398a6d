import { type Static, Type } from 'typebox'

const federatedCredentialSchema = Type.Object(
  {
    name: Type.String({
      minLength: 3,
      maxLength: 120,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$',
      description:
        'Name of the federated identity credential (3-120 characters: letters, digits, "-", "_"; first a letter or digit, as in Entra).',
    }),
    issuer: Type.String({
      minLength: 1,
      maxLength: 600,
      description: 'Issuer, compared with iss exactly (case-sensitive).',
    }),
    subject: Type.String({
      minLength: 1,
      maxLength: 600,
      // Classic federated credentials have no wildcards; a `*` would become a policy glob.
      pattern: '^[^*]*$',
      description:
        'Subject, compared with sub exactly (case-sensitive; no wildcards, as in Entra).',
    }),
    audiences: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      maxItems: 1,
      description:
        'Accepted aud (Entra allows exactly one; api://AzureADTokenExchange by convention).',
    }),
  },
  { additionalProperties: false },
)

const applicationSchema = Type.Object(
  {
    tenantId: Type.String({
      minLength: 1,
      description: 'Tenant id (GUID) or name in the token URL path.',
    }),
    clientId: Type.String({
      minLength: 1,
      description: 'Application (client) id the workload presents as client_id.',
    }),
    target: Type.String({
      minLength: 1,
      description: 'Inventory service name the issued tokens are for.',
    }),
    federatedCredentials: Type.Array(federatedCredentialSchema, {
      minItems: 1,
      maxItems: 20,
      description: 'Federated identity credentials (at most 20 per application, as in Entra).',
    }),
  },
  { additionalProperties: false },
)

/** JSON Schema (TypeBox) of `clouds.entra`: OAuth client credentials with a JWT-bearer client assertion. */
export const entraDialectSchema = Type.Object(
  {
    applications: Type.Array(applicationSchema, {
      default: [],
      description: 'Applications (client ids) that accept client assertions.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Microsoft Entra dialect (RFC 7523 client assertions): applications and their federated identity credentials.',
  },
)

/** `clouds.entra` as written in `tessera.yaml`. */
export type EntraDialectSection = Static<typeof entraDialectSchema>
