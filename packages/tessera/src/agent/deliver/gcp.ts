import { quote, redact, TesseraError } from '@tessera/verify'

/** The subject token type Google's STS is told the token is (Tessera's tokens are JWTs). */
export const gcpJwtTokenType = 'urn:ietf:params:oauth:token-type:jwt'

/** Google's bounds on `credential_source.executable.timeout_millis`, and its default. */
export const gcpExecutableTimeoutMillis = Object.freeze({
  min: 5000,
  max: 120_000,
  default: 30_000,
})

/** An executable-sourced credential response, version 1 (success or error form). */
export type GcpExecutableResponse =
  | {
      readonly version: 1
      readonly success: true
      readonly token_type: typeof gcpJwtTokenType
      readonly id_token: string
      readonly expiration_time: number
    }
  | {
      readonly version: 1
      readonly success: false
      readonly code: string
      readonly message: string
    }

/**
 * What the executable prints on stdout for Google's executable-sourced credentials: the token
 * and its expiry (epoch seconds; the library refuses an expired response and needs the time
 * when an output file caches it), or the error form `{version, success: false, code, message}`
 * that the library turns into `ExecutableError`.
 */
export function gcpExecutableResponse(
  answer:
    | { readonly token: string; readonly expiresAt: number }
    | { readonly error: { readonly code: string; readonly message: string } },
): GcpExecutableResponse {
  if ('error' in answer) {
    return { version: 1, success: false, code: answer.error.code, message: answer.error.message }
  }
  return {
    version: 1,
    success: true,
    token_type: gcpJwtTokenType,
    id_token: answer.token,
    expiration_time: answer.expiresAt,
  }
}

/** Where the external_account configuration tells the library to find the subject token. */
export type GcpCredentialSource =
  | { readonly file: string }
  | {
      readonly executable: {
        /** Split on spaces by the library: no quoting, so paths must not contain spaces. */
        readonly command: string
        readonly timeoutMillis?: number
        readonly outputFile?: string
      }
    }

/** Inputs of `gcpCredentialConfig`. */
export interface GcpCredentialConfigInput {
  /** The workload identity provider: `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X`. */
  readonly audience: string
  /** Tessera's base URL: the token URL is `<server>/v1/token` (Tessera's Google STS dialect). */
  readonly server: string
  /** A service account to impersonate through `<server>/v1/projects/-/serviceAccounts/<email>:generateAccessToken`. */
  readonly serviceAccount?: string
  readonly source: GcpCredentialSource
}

const providerAudience = /^\/\/iam\.googleapis\.com\/(projects|locations)\/[^\s]+$/

/**
 * The `external_account` credential configuration (what `GOOGLE_APPLICATION_CREDENTIALS`
 * points at) reading the agent's token from its file or from `tessera agent gcp-executable`.
 * @throws {TesseraError} `invalid_options` naming every bad input
 */
export function gcpCredentialConfig(input: GcpCredentialConfigInput): Record<string, unknown> {
  const problems: { path: string; message: string }[] = []
  if (!providerAudience.test(input.audience)) {
    problems.push({
      path: 'audience',
      message: `${quote(input.audience)} is not a workload identity provider name //iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`,
    })
  }
  let server: URL | undefined
  try {
    server = new URL(input.server)
    if (server.protocol !== 'http:' && server.protocol !== 'https:') throw new Error('scheme')
  } catch {
    problems.push({ path: 'server', message: `${quote(input.server)} is not an http(s) URL` })
  }
  if (input.serviceAccount !== undefined && !/^[^\s/@]+@[^\s/@]+$/.test(input.serviceAccount)) {
    problems.push({
      path: 'serviceAccount',
      message: `${quote(input.serviceAccount)} is not a service account email`,
    })
  }
  let source: Record<string, unknown>
  if ('file' in input.source) {
    source = { file: input.source.file }
  } else {
    const { command, timeoutMillis, outputFile } = input.source.executable
    const timeout = timeoutMillis ?? gcpExecutableTimeoutMillis.default
    if (
      !Number.isSafeInteger(timeout) ||
      timeout < gcpExecutableTimeoutMillis.min ||
      timeout > gcpExecutableTimeoutMillis.max
    ) {
      problems.push({
        path: 'source.executable.timeoutMillis',
        message: `${redact(String(timeout))} is outside Google's ${gcpExecutableTimeoutMillis.min}–${gcpExecutableTimeoutMillis.max} ms`,
      })
    }
    if (command.trim() === '') {
      problems.push({ path: 'source.executable.command', message: 'the command is empty' })
    }
    source = {
      executable: {
        command,
        timeout_millis: timeout,
        ...(outputFile === undefined ? {} : { output_file: outputFile }),
      },
    }
  }
  if (problems.length > 0 || server === undefined) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `the GCP credential configuration cannot be written: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const base = server.href.replace(/\/+$/, '')
  return {
    type: 'external_account',
    audience: input.audience,
    subject_token_type: gcpJwtTokenType,
    token_url: `${base}/v1/token`,
    ...(input.serviceAccount === undefined
      ? {}
      : {
          service_account_impersonation_url: `${base}/v1/projects/-/serviceAccounts/${input.serviceAccount}:generateAccessToken`,
        }),
    credential_source: source,
  }
}

/**
 * The environment google-auth-library reads for a credential configuration; executables run
 * only when `GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1`.
 */
export function gcpEnvironment(input: {
  readonly credentialsFile: string
  readonly executable: boolean
  readonly project?: string
}): Record<string, string> {
  return {
    GOOGLE_APPLICATION_CREDENTIALS: input.credentialsFile,
    ...(input.executable ? { GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES: '1' } : {}),
    // Without a project the library asks the metadata server and then the resource manager.
    ...(input.project === undefined ? {} : { GOOGLE_CLOUD_PROJECT: input.project }),
  }
}
