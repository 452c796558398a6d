import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { type Clock, systemClock } from '@tessera/verify'
import {
  type CloudName,
  type DesiredCloudState,
  desiredCloudState,
  type ExportFormat,
  type PublicJwks,
  renderCloudExport,
  tlsThumbprints,
} from '../../cloud/index.ts'
import { type CompiledConfig, loadConfig } from '../../config/index.ts'
import { openSqliteStores } from '../../store/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { defaultConfigPath } from '../open-store.ts'
import type { Output } from '../output/stream.ts'
import { readTextFile } from '../read-input.ts'
import { usageError } from '../usage-error.ts'

export const cloudExportUsage = `usage: tessera cloud export (--aws | --gcp | --azure …) [--format json|terraform] [--out DIR]
    [--config FILE] [--jwks FILE] [--data-dir DIR]

Writes the cloud-side configuration that accepts the tokens Tessera mints, from clouds.aws.roles,
clouds.gcp.pools and clouds.azure.identities in tessera.yaml: the AWS IAM OIDC provider and role
trust policies, the GCP workload identity pool providers (with the JWKS to upload when Google
cannot reach the issuer) and service-account bindings, the Azure federated identity credentials.
--format json (default) writes what the clouds' CLIs take; terraform writes main.tf per cloud.
Without --out, the files are printed, each after a "# file: PATH" line. The output is
deterministic: the same configuration gives the same bytes.
The JWKS (GCP upload) is read from --jwks (a JWK Set file, e.g. the issuer's /jwks.json) or
from the server's key store (store.kind sqlite).
Exit status: 0 written, 2 usage error or invalid configuration.`

/** What the commands share: the configuration, then the desired state from it. */
export interface StateFlags {
  readonly config?: string | undefined
  readonly jwks?: string | undefined
  readonly 'data-dir'?: string | undefined
}

/**
 * Loads the configuration and computes the desired cloud state: the JWKS from `--jwks` or,
 * when Google must be given it, the key store; the thumbprint from `server.tls` when the
 * issuer is https.
 */
export async function loadDesiredState(
  flags: StateFlags,
  options: { readonly needJwks: boolean; readonly clock?: Clock },
): Promise<{ config: CompiledConfig; state: DesiredCloudState }> {
  const config = await loadConfig(flags.config ?? defaultConfigPath, {
    ...(flags['data-dir'] === undefined ? {} : { overrides: { dataDir: flags['data-dir'] } }),
  })
  const issuer = config.issuer.issuerUrl
  const jwks =
    flags.jwks !== undefined
      ? parseJwksFile(flags.jwks)
      : options.needJwks
        ? await storeJwks(config, options.clock ?? systemClock)
        : undefined
  const thumbprints =
    issuer.startsWith('https://') && config.server.tls !== undefined
      ? tlsThumbprints(config.server.tls.cert)
      : []
  const state = desiredCloudState(config, {
    ...(jwks === undefined ? {} : { jwks }),
    tlsThumbprints: thumbprints,
  })
  return { config, state }
}

function parseJwksFile(path: string): PublicJwks {
  const text = readTextFile(path, 'JWKS')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }
  const keys = (parsed as { keys?: unknown } | undefined)?.keys
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null))
    throw usageError(`--jwks ${JSON.stringify(path)} is not a JWK Set ({"keys": [...]})`, 'jwks')
  return { keys: keys as Record<string, unknown>[] }
}

// The keys the server publishes now (not revoked, within their publication window), the active
// one first, as its JWKS endpoint serves them.
async function storeJwks(config: CompiledConfig, clock: Clock): Promise<PublicJwks | undefined> {
  if (config.store.kind !== 'sqlite') return undefined
  const stores = await openSqliteStores({ dataDir: config.store.dataDir, clock })
  try {
    const now = clock()
    const rank = { active: 0, pending: 1, retired: 2, revoked: 3 } as const
    const keys = (await stores.keys.list())
      .filter(
        (k) => k.state !== 'revoked' && (k.publishedUntil === undefined || now < k.publishedUntil),
      )
      .sort((a, b) => rank[a.state] - rank[b.state] || b.activatesAt - a.activatesAt)
      .map((k) => k.publicJwk)
    return keys.length === 0 ? undefined : { keys }
  } finally {
    await stores.close()
  }
}

/** `tessera cloud export`: renders every requested cloud, then prints or writes the files. */
export async function runCloudExport(argv: readonly string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      aws: { type: 'boolean', default: false },
      gcp: { type: 'boolean', default: false },
      azure: { type: 'boolean', default: false },
      format: { type: 'string', default: 'json' },
      out: { type: 'string' },
      config: { type: 'string', short: 'c' },
      jwks: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(cloudExportUsage)
    return exitCodes.ok
  }
  if (positionals.length > 0)
    throw usageError(`unexpected argument ${JSON.stringify(positionals[0])}`, 'argument')
  const clouds = (['aws', 'gcp', 'azure'] as const).filter((c) => values[c])
  if (clouds.length === 0) throw usageError('name a cloud: --aws, --gcp or --azure', 'cloud')
  if (values.format !== 'json' && values.format !== 'terraform')
    throw usageError(
      `--format must be json or terraform, got ${JSON.stringify(values.format)}`,
      'format',
    )
  const format: ExportFormat = values.format
  const { state } = await loadDesiredState(values, { needJwks: clouds.includes('gcp') })
  // Everything is rendered before anything is written: a bad cloud leaves the directory alone.
  const files = clouds.flatMap((cloud: CloudName) => renderCloudExport(state, cloud, format))
  if (values.out === undefined) {
    for (const file of files) {
      output.out(`# file: ${file.path}`)
      output.out(file.content.replace(/\n$/, ''))
    }
    return exitCodes.ok
  }
  for (const file of files) {
    const path = join(values.out, file.path)
    mkdirSync(dirname(path), { recursive: true })
    writeFileSync(path, file.content)
    output.out(path)
  }
  return exitCodes.ok
}
