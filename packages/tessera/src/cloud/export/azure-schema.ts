import { type Static, Type } from 'typebox'

const identitySchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$',
      description: 'User-assigned managed identity (or app registration) name in Azure.',
    }),
    clientId: Type.String({ minLength: 1, description: 'Its client (application) id.' }),
    tenantId: Type.String({ minLength: 1, description: 'Its tenant id.' }),
    resourceGroup: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 90,
        description: 'Resource group of the managed identity (Terraform and az need it).',
      }),
    ),
    workloads: Type.Array(
      Type.String({
        pattern: '^spiffe://[^*?]*$',
        maxLength: 600,
        description:
          'Exact SPIFFE ID of a workload: one federated credential each (Entra has no wildcards).',
      }),
      {
        minItems: 1,
        maxItems: 20,
        uniqueItems: true,
        description: 'Workloads federated to the identity (Entra allows 20 credentials each).',
      },
    ),
  },
  { additionalProperties: false },
)

/**
 * JSON Schema (TypeBox) of `clouds.azure`: the real Azure managed identities that trust Tessera
 * as an OIDC issuer through federated identity credentials (`tessera cloud export --azure`).
 */
export const azureCloudSchema = Type.Object(
  {
    identities: Type.Array(identitySchema, {
      default: [],
      description: 'Managed identities and the workloads federated to each.',
    }),
  },
  {
    additionalProperties: false,
    description:
      'Azure managed identities trusting Tessera (federated identity credentials, audience api://AzureADTokenExchange).',
  },
)

/** `clouds.azure` as written in `tessera.yaml`. */
export type AzureCloudSection = Static<typeof azureCloudSchema>
