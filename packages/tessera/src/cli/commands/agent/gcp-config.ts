import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { loadAgentConfig } from '../../../agent/config.ts'
import { renderExportLines } from '../../../agent/deliver/export-lines.ts'
import {
  type GcpCredentialSource,
  gcpCredentialConfig,
  gcpEnvironment,
} from '../../../agent/deliver/gcp.ts'
import { tokenEntryFor } from '../../../agent/deliver/token-entry.ts'
import { writeFileAtomic } from '../../../agent/write-file-atomic.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { usageError } from '../../usage-error.ts'

export const agentGcpConfigUsage = `usage: tessera agent gcp-config --config FILE --audience PROVIDER --out FILE
       [--executable [--command CMD] [--timeout-millis MS] [--output-file FILE]]
       [--service-account EMAIL]

Writes the external_account credential configuration for google-auth-library (point
GOOGLE_APPLICATION_CREDENTIALS at it): audience = the workload identity provider PROVIDER
(//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X), the
token URL = the agent's server /v1/token, and the subject token read from the file the agent
keeps for PROVIDER, or with --executable from \`tessera agent gcp-executable\` (the library
runs it only with GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1). Prints the export lines.`

/** Writes the `external_account` JSON pointing at the agent's token file or executable. */
export async function runAgentGcpConfig(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      audience: { type: 'string' },
      out: { type: 'string' },
      executable: { type: 'boolean', default: false },
      command: { type: 'string' },
      'timeout-millis': { type: 'string' },
      'output-file': { type: 'string' },
      'service-account': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentGcpConfigUsage)
    return exitCodes.ok
  }
  if (values.config === undefined) throw usageError('--config is required', 'config')
  if (values.audience === undefined)
    throw usageError('--audience is required: the workload identity provider', 'audience')
  if (values.out === undefined) throw usageError('--out is required: where to write', 'out')
  if (!values.executable) {
    for (const flag of ['command', 'timeout-millis', 'output-file'] as const) {
      if (values[flag] !== undefined) throw usageError(`--${flag} needs --executable`, flag)
    }
  }
  const timeoutText = values['timeout-millis']
  if (timeoutText !== undefined && !/^\d{1,9}$/.test(timeoutText)) {
    throw usageError(
      `--timeout-millis must be a whole number, got ${JSON.stringify(timeoutText)}`,
      'timeout-millis',
    )
  }
  const configPath = resolve(values.config)
  const config = await loadAgentConfig(configPath)
  const entry = tokenEntryFor(config, values.audience)
  const source: GcpCredentialSource = values.executable
    ? {
        executable: {
          // The library splits the command on spaces; the audience comes from its environment.
          command: values.command ?? `tessera agent gcp-executable --config ${configPath}`,
          ...(timeoutText === undefined ? {} : { timeoutMillis: Number(timeoutText) }),
          ...(values['output-file'] === undefined
            ? {}
            : { outputFile: resolve(values['output-file']) }),
        },
      }
    : { file: entry.file }
  const document = gcpCredentialConfig({
    audience: values.audience,
    server: config.server,
    source,
    ...(values['service-account'] === undefined
      ? {}
      : { serviceAccount: values['service-account'] }),
  })
  const out = resolve(values.out)
  // Not a secret, but written the same way: a library never reads half a configuration.
  await writeFileAtomic(out, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o644 })
  for (const line of renderExportLines(
    gcpEnvironment({ credentialsFile: out, executable: values.executable }),
  )) {
    output.out(line)
  }
  output.err(`wrote ${out}`)
  return exitCodes.ok
}
