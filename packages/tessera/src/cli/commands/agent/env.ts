import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { quote } from '@tessera/verify'
import { loadAgentConfig } from '../../../agent/config.ts'
import { awsDefaultAudience, awsEnvironment } from '../../../agent/deliver/aws.ts'
import { azureDefaultAudience, azureEnvironment } from '../../../agent/deliver/azure.ts'
import { renderExportLines } from '../../../agent/deliver/export-lines.ts'
import { gcpEnvironment } from '../../../agent/deliver/gcp.ts'
import { tokenEntryFor } from '../../../agent/deliver/token-entry.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { usageError } from '../../usage-error.ts'

export const agentEnvUsage = `usage: tessera agent env --cloud aws|gcp|azure --config FILE [options]

Prints the export lines a workload's cloud SDK reads, for the files the agent keeps:
  aws    --role-arn ARN [--session-name N] [--audience AUD (${awsDefaultAudience})]
         [--endpoint URL | --tessera]   AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN
                                        (+ AWS_ENDPOINT_URL_STS: URL, or the agent's server)
  azure  --client-id ID --tenant-id ID [--audience AUD (${azureDefaultAudience})]
         [--endpoint URL | --tessera]   AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID,
                                        AZURE_TENANT_ID, AZURE_AUTHORITY_HOST (https only)
  gcp    --credentials-file FILE [--executable] [--project P]
                                        GOOGLE_APPLICATION_CREDENTIALS (written by
                                        \`tessera agent gcp-config\`), GOOGLE_CLOUD_PROJECT`

/** Prints `export NAME='value'` lines for one cloud's SDK. */
export async function runAgentEnv(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      cloud: { type: 'string' },
      config: { type: 'string', short: 'c' },
      audience: { type: 'string' },
      'role-arn': { type: 'string' },
      'session-name': { type: 'string' },
      endpoint: { type: 'string' },
      tessera: { type: 'boolean', default: false },
      'client-id': { type: 'string' },
      'tenant-id': { type: 'string' },
      'credentials-file': { type: 'string' },
      executable: { type: 'boolean', default: false },
      project: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentEnvUsage)
    return exitCodes.ok
  }
  const cloud = values.cloud
  if (cloud !== 'aws' && cloud !== 'gcp' && cloud !== 'azure') {
    throw usageError(
      `--cloud must be aws, gcp or azure${cloud === undefined ? '' : `, got ${quote(cloud)}`}`,
      'cloud',
    )
  }
  if (values.config === undefined) throw usageError('--config is required', 'config')
  if (values.endpoint !== undefined && values.tessera)
    throw usageError('give --endpoint or --tessera, not both', 'endpoint')
  const config = await loadAgentConfig(values.config)
  const endpoint = values.tessera ? config.server : values.endpoint
  let environment: Record<string, string>
  if (cloud === 'aws') {
    const roleArn = values['role-arn']
    if (roleArn === undefined) throw usageError('--role-arn is required for aws', 'role-arn')
    environment = awsEnvironment({
      tokenFile: tokenEntryFor(config, values.audience ?? awsDefaultAudience).file,
      roleArn,
      ...(values['session-name'] === undefined ? {} : { sessionName: values['session-name'] }),
      ...(endpoint === undefined ? {} : { stsEndpoint: endpoint }),
    })
  } else if (cloud === 'azure') {
    const clientId = values['client-id']
    const tenantId = values['tenant-id']
    if (clientId === undefined) throw usageError('--client-id is required for azure', 'client-id')
    if (tenantId === undefined) throw usageError('--tenant-id is required for azure', 'tenant-id')
    if (endpoint !== undefined && !endpoint.startsWith('https://')) {
      throw usageError(
        `the Azure SDK accepts only an https authority host, got ${quote(endpoint)}`,
        'endpoint',
      )
    }
    environment = azureEnvironment({
      tokenFile: tokenEntryFor(config, values.audience ?? azureDefaultAudience).file,
      clientId,
      tenantId,
      ...(endpoint === undefined ? {} : { authorityHost: endpoint }),
    })
  } else {
    const file = values['credentials-file']
    if (file === undefined) {
      throw usageError(
        '--credentials-file is required for gcp: the file `tessera agent gcp-config` wrote',
        'credentials-file',
      )
    }
    environment = gcpEnvironment({
      credentialsFile: resolve(file),
      executable: values.executable,
      ...(values.project === undefined ? {} : { project: values.project }),
    })
  }
  for (const line of renderExportLines(environment)) output.out(line)
  return exitCodes.ok
}
