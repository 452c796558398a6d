/**
 * `tessera doctor cloud`: the live cloud configuration, as the clouds' CLIs print it,
 * compared with what `tessera cloud export` generates.
 */

export { type CompareOptions, compareCloud } from './compare-cloud.ts'
export { type DriftCode, type DriftFinding, findingJson } from './finding.ts'
export type { LiveCloudConfig, LiveFile } from './live-files.ts'
export { driftSarif, type SarifLog } from './sarif.ts'
