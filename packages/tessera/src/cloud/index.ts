/**
 * @module cloud — offline models of how AWS STS, Google STS and Entra ID accept a federated
 * token, evaluated against the clouds' own configuration files as their CLIs print them.
 * Each answers `{ accepted, code, message, explanation }` with the cloud's code and message
 * and Tessera's explanation. Imports only `@tessera/verify` (and cel-js for GCP's CEL).
 */

export { type AwsModel, evaluateAws } from './aws/evaluate-aws.ts'
export { type AwsOidcProvider, parseAwsProvider } from './aws/provider.ts'
export { parseTrustPolicy, type TrustPolicy } from './aws/trust-policy.ts'
export { evaluateAzure } from './azure/evaluate-azure.ts'
export {
  type FederatedCredential,
  maxFederatedCredentials,
  parseFederatedCredential,
} from './azure/fic.ts'
export { describeVerdict } from './describe-verdict.ts'
export {
  type CompareOptions,
  compareCloud,
  type DriftCode,
  type DriftFinding,
  driftSarif,
  findingJson,
  type LiveCloudConfig,
  type LiveFile,
  type SarifLog,
} from './drift/index.ts'
export {
  type AzureCloudSection,
  azureCloudSchema,
  type CloudCheckContext,
  type CloudExportConfig,
  type CloudName,
  checkCloudExport,
  type DesiredCloudState,
  type DesiredStateOptions,
  desiredCloudState,
  type ExportFile,
  type ExportFormat,
  type PublicJwks,
  renderCloudExport,
  tlsThumbprints,
} from './export/index.ts'
export { evaluateGcp } from './gcp/evaluate-gcp.ts'
export { acceptedAudiences, type GcpProvider, parseGcpProvider } from './gcp/provider.ts'
export {
  type CloudFailure,
  type CloudFailureJson,
  type CloudToken,
  type CloudVerdict,
  type CloudVerdictJson,
  verdictJson,
  verdictOf,
} from './verdict.ts'
