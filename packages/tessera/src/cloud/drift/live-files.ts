import { TesseraError } from '@tessera/verify'
import { isObject } from '../config-json.ts'

/** A live configuration file: where it came from (shown in findings) and its text. */
export interface LiveFile {
  readonly source: string
  readonly text: string
}

/** The live configuration as the clouds' CLIs print it, one file per resource. */
export interface LiveCloudConfig {
  readonly aws?: {
    /** `aws iam get-open-id-connect-provider`. */
    readonly provider?: LiveFile
    /** `aws iam get-role` per role (the document may be URL-encoded, as the API returns it). */
    readonly roles?: readonly LiveFile[]
  }
  /** `gcloud iam workload-identity-pools providers describe --format=json` per provider. */
  readonly gcp?: { readonly providers: readonly LiveFile[] }
  /** `az identity federated-credential list` per identity (or one credential per file). */
  readonly azure?: { readonly credentials: readonly LiveFile[] }
}

function invalid(file: LiveFile, what: string, message: string): never {
  throw new TesseraError({
    code: 'invalid_config',
    message: `${what} file ${JSON.stringify(file.source)} is invalid: ${message}`,
    problems: [{ path: '', message }],
  })
}

function parseJson(file: LiveFile, what: string): unknown {
  try {
    return JSON.parse(file.text)
  } catch (error) {
    return invalid(file, what, `not JSON: ${(error as Error).message}`)
  }
}

/**
 * A role file with its policy document as JSON text, and the role's name when the file is
 * `aws iam get-role` output. The IAM API returns `AssumeRolePolicyDocument` URL-encoded (RFC
 * 3986); the CLI decodes it; both are accepted.
 * @throws {TesseraError} `invalid_config` for text that is not JSON or an undecodable document
 */
export function readRoleFile(file: LiveFile): { roleName?: string; policyText: string } {
  const doc = parseJson(file, 'AWS role')
  if (!isObject(doc)) return invalid(file, 'AWS role', 'expected a JSON object')
  const role = isObject(doc.Role) ? doc.Role : doc
  const roleName = typeof role.RoleName === 'string' ? role.RoleName : undefined
  let policy: unknown = role.AssumeRolePolicyDocument ?? doc
  if (typeof policy === 'string') {
    try {
      policy = JSON.parse(decodeURIComponent(policy))
    } catch (error) {
      invalid(
        file,
        'AWS role',
        `AssumeRolePolicyDocument is neither JSON nor URL-encoded JSON: ${(error as Error).message}`,
      )
    }
  }
  return { ...(roleName === undefined ? {} : { roleName }), policyText: JSON.stringify(policy) }
}

/** One live federated credential and the identity it belongs to (from its resource id). */
export interface LiveCredential {
  readonly identity?: string
  readonly text: string
  readonly source: string
}

/**
 * The credentials of an `az identity federated-credential list` file (a JSON list), or of a
 * file holding one credential (`show`). The identity is read from each credential's `id`
 * (`…/userAssignedIdentities/<identity>/federatedIdentityCredentials/<name>`).
 * @throws {TesseraError} `invalid_config` for text that is not JSON
 */
export function readCredentialsFile(file: LiveFile): LiveCredential[] {
  const doc = parseJson(file, 'Azure federated credentials')
  const list = Array.isArray(doc) ? doc : [doc]
  return list.map((entry) => {
    const id = isObject(entry) && typeof entry.id === 'string' ? entry.id : ''
    const identity = /\/userAssignedIdentities\/([^/]+)\/federatedIdentityCredentials\//i.exec(
      id,
    )?.[1]
    return {
      ...(identity === undefined ? {} : { identity }),
      text: JSON.stringify(entry),
      source: file.source,
    }
  })
}

/** The `oidc.jwksJson` of a GCP provider file, parsed, or undefined when there is none. */
export function readUploadedJwks(file: LiveFile): { keys: unknown[] } | undefined {
  const doc = parseJson(file, 'GCP workload identity provider')
  const jwks = isObject(doc) && isObject(doc.oidc) ? doc.oidc.jwksJson : undefined
  if (jwks === undefined || jwks === '') return undefined
  let parsed: unknown
  try {
    parsed = typeof jwks === 'string' ? JSON.parse(jwks) : undefined
  } catch {
    parsed = undefined
  }
  if (!isObject(parsed) || !Array.isArray(parsed.keys))
    invalid(
      file,
      'GCP workload identity provider',
      'oidc.jwksJson is not a JWK Set ({"keys": [...]})',
    )
  return { keys: parsed.keys as unknown[] }
}
