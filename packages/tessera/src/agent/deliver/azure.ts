/** The audience Entra expects in a federated identity credential's assertion. */
export const azureDefaultAudience = 'api://AzureADTokenExchange'

/** Entra's public authority host, used unless another (Tessera's Entra dialect) is named. */
export const azurePublicAuthorityHost = 'https://login.microsoftonline.com'

/** Inputs of `azureEnvironment`. */
export interface AzureEnvironmentInput {
  readonly tokenFile: string
  readonly clientId: string
  readonly tenantId: string
  /** Default `https://login.microsoftonline.com`; the SDK refuses anything but https. */
  readonly authorityHost?: string
}

/**
 * The environment `WorkloadIdentityCredential` (and `DefaultAzureCredential`) reads. The SDK
 * trims the token file and caches its contents per credential instance, so a long-lived
 * process sees a rewritten file only through a new credential.
 */
export function azureEnvironment(input: AzureEnvironmentInput): Record<string, string> {
  return {
    AZURE_FEDERATED_TOKEN_FILE: input.tokenFile,
    AZURE_CLIENT_ID: input.clientId,
    AZURE_TENANT_ID: input.tenantId,
    AZURE_AUTHORITY_HOST: input.authorityHost ?? azurePublicAuthorityHost,
  }
}
