import { TesseraError } from '@tessera/verify'
import type { DesiredCloudState } from './desired-state.ts'
import { awsJson, azureJson, type ExportFile, gcpJson } from './render-json.ts'
import { awsTerraform, azureTerraform, gcpTerraform } from './render-terraform.ts'

/** The clouds `cloud export` writes for. */
export type CloudName = 'aws' | 'gcp' | 'azure'
/** Output formats of `cloud export`. */
export type ExportFormat = 'json' | 'terraform'

/**
 * The files that set one cloud up as `state` says, as JSON the clouds' CLIs take or as
 * Terraform for their official providers. Deterministic: keys sorted, lists in the state's
 * (sorted) order, a trailing newline — the same state gives the same bytes.
 * @throws {TesseraError} `invalid_config` when the configuration declares nothing for `cloud`
 */
export function renderCloudExport(
  state: DesiredCloudState,
  cloud: CloudName,
  format: ExportFormat,
): ExportFile[] {
  const files =
    cloud === 'aws'
      ? state.aws &&
        (format === 'json'
          ? awsJson(state.aws, state.issuer)
          : [awsTerraform(state.aws, state.issuer)])
      : cloud === 'gcp'
        ? state.gcp && (format === 'json' ? gcpJson(state.gcp) : [gcpTerraform(state.gcp)])
        : state.azure &&
          (format === 'json' ? azureJson(state.azure) : [azureTerraform(state.azure)])
  if (files === undefined) {
    const key = {
      aws: 'clouds.aws.roles',
      gcp: 'clouds.gcp.pools',
      azure: 'clouds.azure.identities',
    }[cloud]
    throw new TesseraError({
      code: 'invalid_config',
      message: `nothing to export for ${cloud}: ${key} is empty or absent in the configuration`,
      problems: [{ path: `/${key.replace(/\./g, '/')}`, message: 'declare at least one entry' }],
    })
  }
  return files
}
