import type { DesiredCloudState } from './desired-state.ts'
import { stableJson } from './stable-json.ts'

/** One file of an export: a path relative to the output directory, and its exact bytes. */
export interface ExportFile {
  readonly path: string
  readonly content: string
}

/**
 * AWS as the CLI takes it: `aws/oidc-provider.json` (`aws iam create-open-id-connect-provider
 * --cli-input-json`), and per role its trust policy (`aws iam create-role
 * --assume-role-policy-document file://…`) and the `create-role --cli-input-json` input.
 */
export function awsJson(aws: NonNullable<DesiredCloudState['aws']>, issuer: string): ExportFile[] {
  const files: ExportFile[] = [
    {
      path: 'aws/oidc-provider.json',
      content: stableJson({
        Url: issuer,
        ClientIDList: aws.provider.clientIds,
        ...(aws.provider.thumbprints.length > 0
          ? { ThumbprintList: aws.provider.thumbprints }
          : {}),
      }),
    },
  ]
  for (const role of aws.roles) {
    files.push({
      path: `aws/roles/${role.name}.trust-policy.json`,
      content: stableJson(role.trustPolicy),
    })
    files.push({
      path: `aws/roles/${role.name}.create-role.json`,
      content: stableJson({
        RoleName: role.name,
        AssumeRolePolicyDocument: JSON.stringify(JSON.parse(stableJson(role.trustPolicy))),
        ...(role.maxSessionDurationSeconds === undefined
          ? {}
          : { MaxSessionDuration: role.maxSessionDurationSeconds }),
      }),
    })
  }
  return files
}

/**
 * GCP: per provider the resource as `gcloud iam workload-identity-pools providers describe
 * --format=json` prints it (what `doctor cloud` compares), the `gcloud … providers
 * create-oidc` flags, and the JWKS to upload (`--jwk-json-path`) when Google cannot fetch
 * it; and `gcp/bindings.json`, one `gcloud iam service-accounts add-iam-policy-binding` each.
 */
export function gcpJson(gcp: NonNullable<DesiredCloudState['gcp']>): ExportFile[] {
  const files: ExportFile[] = []
  for (const p of gcp.providers) {
    const base = `gcp/${p.pool}/${p.provider}`
    const jwksPath = `${base}.jwks.json`
    files.push({
      path: `${base}.provider.json`,
      content: stableJson({
        name: p.name,
        state: 'ACTIVE',
        disabled: false,
        attributeMapping: p.attributeMapping,
        attributeCondition: p.attributeCondition,
        oidc: {
          issuerUri: p.issuerUri,
          allowedAudiences: p.allowedAudiences,
          ...(p.jwksJson === undefined ? {} : { jwksJson: p.jwksJson }),
        },
      }),
    })
    files.push({
      path: `${base}.create-oidc.json`,
      content: stableJson({
        command: 'gcloud iam workload-identity-pools providers create-oidc',
        provider: p.provider,
        flags: {
          '--project': p.projectNumber,
          '--location': 'global',
          '--workload-identity-pool': p.pool,
          '--issuer-uri': p.issuerUri,
          '--allowed-audiences': p.allowedAudiences.join(','),
          '--attribute-mapping': Object.entries(p.attributeMapping)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
          '--attribute-condition': p.attributeCondition,
          ...(p.jwksJson === undefined ? {} : { '--jwk-json-path': jwksPath }),
        },
      }),
    })
    if (p.jwksJson !== undefined)
      files.push({ path: jwksPath, content: stableJson(JSON.parse(p.jwksJson)) })
  }
  if (gcp.bindings.length > 0)
    files.push({ path: 'gcp/bindings.json', content: stableJson(gcp.bindings) })
  return files
}

/**
 * Azure: one file per federated credential, `azure/<identity>/<name>.json`, in the shape
 * `--parameters` takes (`{name, issuer, subject, audiences, description}`).
 */
export function azureJson(azure: NonNullable<DesiredCloudState['azure']>): ExportFile[] {
  return azure.credentials.map((c) => ({
    path: `azure/${c.identity}/${c.name}.json`,
    content: stableJson({
      name: c.name,
      issuer: c.issuer,
      subject: c.subject,
      audiences: c.audiences,
      description: `Tessera workload ${c.subject}`,
    }),
  }))
}
