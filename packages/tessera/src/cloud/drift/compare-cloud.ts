import { TesseraError } from '@tessera/verify'
import type { DesiredCloudState } from '../export/desired-state.ts'
import { compareAws } from './compare-aws.ts'
import { compareAzure } from './compare-azure.ts'
import { compareGcpProvider } from './compare-gcp.ts'
import type { DriftFinding } from './finding.ts'
import type { LiveCloudConfig } from './live-files.ts'

/** Options of `compareCloud`. */
export interface CompareOptions {
  /** Epoch seconds the token-shaped claims are minted at. */
  readonly now: number
}

const keys = { aws: 'clouds.aws.roles', gcp: 'clouds.gcp.pools', azure: 'clouds.azure.identities' }

/**
 * Compares the live cloud configuration (files as the CLIs print them) with what `cloud
 * export` generates now. Every difference is a finding with a stable code (`drift_mismatch`,
 * `drift_missing`, `drift_extra`, `stale_jwks`, `stale_thumbprint`), expected vs actual and a
 * near-miss hint; none means no drift. Findings come in the order aws, gcp, azure, each in
 * the order of its files.
 * @throws {TesseraError} `invalid_config` for a live file that cannot be read as the CLI's
 * output, or a live cloud the configuration declares nothing for
 */
export function compareCloud(
  state: DesiredCloudState,
  live: LiveCloudConfig,
  options: CompareOptions,
): DriftFinding[] {
  for (const cloud of ['aws', 'gcp', 'azure'] as const)
    if (live[cloud] !== undefined && state[cloud] === undefined)
      throw new TesseraError({
        code: 'invalid_config',
        message: `live ${cloud} configuration given, but tessera.yaml declares no ${keys[cloud]}: nothing to compare it with`,
        problems: [
          { path: `/${keys[cloud].replace(/\./g, '/')}`, message: 'declare at least one entry' },
        ],
      })
  const findings: DriftFinding[] = []
  if (live.aws !== undefined) findings.push(...compareAws(state, live.aws, options.now))
  for (const file of live.gcp?.providers ?? [])
    findings.push(...compareGcpProvider(state, file, options.now))
  if (live.azure !== undefined) findings.push(...compareAzure(state, live.azure.credentials))
  return findings
}
