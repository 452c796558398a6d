import { parseArgs } from 'node:util'
import {
  compareCloud,
  type DriftFinding,
  driftSarif,
  findingJson,
  type LiveCloudConfig,
  type LiveFile,
} from '../../cloud/index.ts'
import { exitCodes } from '../exit-codes.ts'
import type { Output } from '../output/stream.ts'
import { parseNow } from '../parse-now.ts'
import { readTextFile } from '../read-input.ts'
import { usageError } from '../usage-error.ts'
import { loadDesiredState } from './cloud-export.ts'

export const doctorCloudUsage = `usage: tessera doctor cloud [--config FILE] [--aws-provider FILE] [--aws-role FILE …]
    [--gcp-provider FILE …] [--azure-fics FILE …] [--jwks FILE] [--data-dir DIR]
    [--now UNIX_SECONDS|ISO8601] [--json | --sarif]

Compares the live cloud configuration, as the clouds' CLIs print it, with what
\`tessera cloud export\` generates from tessera.yaml now:
  --aws-provider  aws iam get-open-id-connect-provider --open-id-connect-provider-arn ARN
  --aws-role      aws iam get-role --role-name NAME (the policy may be URL-encoded)
  --gcp-provider  gcloud iam workload-identity-pools providers describe … --format=json
  --azure-fics    az identity federated-credential list --identity-name NAME -g GROUP
Each difference is a finding with a stable code (drift_mismatch, drift_missing, drift_extra,
stale_jwks, stale_thumbprint), expected vs actual and a near-miss hint; role trust policies and
GCP conditions are evaluated against the tokens Tessera mints for each workload. --sarif prints a
SARIF 2.1.0 log for code-scanning annotations. Tessera's current JWKS (for an uploaded GCP JWKS)
comes from --jwks or the server's key store.
Exit status: 0 no drift, 1 drift found, 2 usage error or unreadable input.`

const file = (path: string, what: string): LiveFile => ({
  source: path,
  text: readTextFile(path, what),
})

/** `tessera doctor cloud`: reads the live files, compares, prints the findings. */
export async function runDoctorCloud(argv: readonly string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      'aws-provider': { type: 'string' },
      'aws-role': { type: 'string', multiple: true },
      'gcp-provider': { type: 'string', multiple: true },
      'azure-fics': { type: 'string', multiple: true },
      jwks: { type: 'string' },
      'data-dir': { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      sarif: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(doctorCloudUsage)
    return exitCodes.ok
  }
  if (positionals.length > 0)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'argument')
  if (values.json && values.sarif)
    throw usageError('--json and --sarif exclude each other', 'sarif')
  const now = parseNow(values.now) ?? Math.floor(Date.now() / 1000)
  const roles = values['aws-role'] ?? []
  const gcp = values['gcp-provider'] ?? []
  const azure = values['azure-fics'] ?? []
  const live: LiveCloudConfig = {
    ...(values['aws-provider'] !== undefined || roles.length > 0
      ? {
          aws: {
            ...(values['aws-provider'] === undefined
              ? {}
              : { provider: file(values['aws-provider'], 'AWS OIDC provider') }),
            roles: roles.map((r) => file(r, 'AWS role')),
          },
        }
      : {}),
    ...(gcp.length > 0 ? { gcp: { providers: gcp.map((f) => file(f, 'GCP provider')) } } : {}),
    ...(azure.length > 0
      ? { azure: { credentials: azure.map((f) => file(f, 'Azure federated credentials')) } }
      : {}),
  }
  if (live.aws === undefined && live.gcp === undefined && live.azure === undefined)
    throw usageError(
      'give at least one live file: --aws-provider, --aws-role, --gcp-provider or --azure-fics',
      'live',
    )
  const { state } = await loadDesiredState(values, {
    needJwks: live.gcp !== undefined,
    clock: () => now,
  })
  const findings = compareCloud(state, live, { now })
  if (values.sarif) output.out(JSON.stringify(driftSarif(findings, live)))
  else if (values.json)
    output.out(JSON.stringify({ drift: findings.length > 0, findings: findings.map(findingJson) }))
  else renderHuman(findings, output)
  return findings.length === 0 ? exitCodes.ok : exitCodes.rejected
}

function renderHuman(findings: readonly DriftFinding[], output: Output): void {
  if (findings.length === 0) {
    output.out(output.style('green', 'no drift: the live configuration matches the export'))
    return
  }
  output.out(
    output.style('red', `${findings.length} drift finding${findings.length > 1 ? 's' : ''}:`),
  )
  for (const f of findings) {
    output.out(`  ${output.style('bold', f.code)} ${f.cloud} ${f.resource} ${f.path} (${f.source})`)
    output.out(`    ${f.message}`)
    if (f.expected !== undefined) output.out(`    expected: ${JSON.stringify(f.expected)}`)
    if (f.actual !== undefined) output.out(`    actual:   ${JSON.stringify(f.actual)}`)
    if (f.hint !== undefined) output.out(`    hint:     ${f.hint}`)
  }
}
