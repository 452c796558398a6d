/**
 * `tessera cloud export`: the cloud-side configuration (AWS IAM OIDC provider and roles, GCP
 * workload identity providers and bindings, Azure federated credentials) generated from
 * `tessera.yaml`, as JSON the clouds' CLIs take or as Terraform.
 */

export { type AzureCloudSection, azureCloudSchema } from './azure-schema.ts'
export { type CloudCheckContext, checkCloudExport } from './check-clouds.ts'
export {
  type CloudExportConfig,
  type DesiredCloudState,
  type DesiredStateOptions,
  desiredCloudState,
  type PublicJwks,
} from './desired-state.ts'
export { type CloudName, type ExportFormat, renderCloudExport } from './render-export.ts'
export type { ExportFile } from './render-json.ts'
export { tlsThumbprints } from './tls-thumbprint.ts'
