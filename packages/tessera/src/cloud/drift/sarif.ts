import { isAbsolute } from 'node:path'
import { pathToFileURL } from 'node:url'
import { codes } from '@tessera/verify'
import type { DriftFinding } from './finding.ts'
import { locateJsonPath } from './json-locate.ts'
import type { LiveCloudConfig, LiveFile } from './live-files.ts'

/** The SARIF 2.1.0 log of `doctor cloud --sarif`. */
export interface SarifLog {
  readonly $schema: string
  readonly version: '2.1.0'
  readonly runs: readonly unknown[]
}

/**
 * The findings as a SARIF 2.1.0 log (OASIS): one run of the `tessera` tool, one rule per
 * code used, one result per finding (`ruleId` = the code, level `error`, the message, a
 * location at the live file), expected/actual/hint under `properties`. Given the live files,
 * each location gets a `region` at the finding's path in its file's text when it is found there.
 */
export function driftSarif(findings: readonly DriftFinding[], live?: LiveCloudConfig): SarifLog {
  const texts = new Map(liveFiles(live).map((f) => [f.source, f.text]))
  const region = (f: DriftFinding) => {
    const text = texts.get(f.source)
    const at = text === undefined ? undefined : locateJsonPath(text, f.path)
    return at === undefined ? {} : { region: at }
  }
  const ruleIds = [...new Set(findings.map((f) => f.code))].sort()
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tessera',
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: codes[id].summary },
              help: { text: codes[id].fix },
            })),
          },
        },
        results: findings.map((f) => ({
          ruleId: f.code,
          ruleIndex: ruleIds.indexOf(f.code),
          level: 'error',
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: artifactUri(f.source) },
                ...region(f),
              },
              logicalLocations: [
                { name: f.path, fullyQualifiedName: `${f.cloud}/${f.resource}/${f.path}` },
              ],
            },
          ],
          properties: {
            cloud: f.cloud,
            resource: f.resource,
            path: f.path,
            ...(f.expected === undefined ? {} : { expected: f.expected }),
            ...(f.actual === undefined ? {} : { actual: f.actual }),
            ...(f.hint === undefined ? {} : { hint: f.hint }),
          },
        })),
      },
    ],
  }
}

// SARIF locations are URIs: an absolute path becomes a file: URL, a relative one a relative reference.
function artifactUri(source: string): string {
  return isAbsolute(source) ? pathToFileURL(source).href : source.split('\\').join('/')
}

function liveFiles(live: LiveCloudConfig | undefined): LiveFile[] {
  return [
    ...(live?.aws?.provider === undefined ? [] : [live.aws.provider]),
    ...(live?.aws?.roles ?? []),
    ...(live?.gcp?.providers ?? []),
    ...(live?.azure?.credentials ?? []),
  ]
}
