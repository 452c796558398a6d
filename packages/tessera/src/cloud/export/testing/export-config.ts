// Test support: a tessera.yaml document declaring one AWS role, one GCP pool provider and one
// Azure identity that trust Tessera, with the inventory audiences they need.

/** Tessera's issuer in the document. */
export const exportIssuer = 'https://tessera.example.org'
/** The GCP provider's resource name and default audience. */
export const gcpName =
  'projects/123456789012/locations/global/workloadIdentityPools/tessera-pool/providers/tessera'
export const gcpAudience = `//iam.googleapis.com/${gcpName}`
/** The workloads: one exact SPIFFE ID, one glob. */
export const paymentsId = 'spiffe://example.org/ns/prod/sa/payments'
export const ciGlob = 'spiffe://example.org/ci/*'

/** The document, with `publicUrl` replaceable (an http issuer for GCP's JWKS upload). */
export function exportDocument(publicUrl = exportIssuer): Record<string, unknown> {
  const https = publicUrl.startsWith('https://')
  return {
    server: { publicUrl },
    trustDomain: 'example.org',
    inventory: {
      services: [
        { name: 'aws', audiences: ['sts.amazonaws.com'] },
        { name: 'gcp', audiences: [gcpAudience] },
        { name: 'azure', audiences: ['api://AzureADTokenExchange'] },
      ],
    },
    clouds: {
      ...(https
        ? {
            aws: {
              accountId: '123456789012',
              roles: [
                {
                  name: 'payments-deploy',
                  workloads: [paymentsId, ciGlob],
                  maxSessionDurationSeconds: 3600,
                },
              ],
            },
            azure: {
              identities: [
                {
                  name: 'payments-id',
                  clientId: '11111111-2222-3333-4444-555555555555',
                  tenantId: '66666666-7777-8888-9999-000000000000',
                  resourceGroup: 'payments-rg',
                  workloads: [paymentsId],
                },
              ],
            },
          }
        : {}),
      gcp: {
        projectNumber: '123456789012',
        pools: [
          {
            pool: 'tessera-pool',
            provider: 'tessera',
            workloads: [paymentsId, ciGlob],
            serviceAccount: 'deployer@payments.iam.gserviceaccount.com',
          },
        ],
      },
    },
  }
}
