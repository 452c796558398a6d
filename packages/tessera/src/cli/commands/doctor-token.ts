import { parseArgs } from 'node:util'
import {
  createVerifier,
  decodeJwt,
  type Evaluation,
  type JwsAlgorithm,
  TesseraError,
} from '@tessera/verify'
import {
  type AwsModel,
  acceptedAudiences,
  type CloudVerdict,
  describeVerdict,
  evaluateAws,
  evaluateAzure,
  evaluateGcp,
  type FederatedCredential,
  type GcpProvider,
  maxFederatedCredentials,
  parseAwsProvider,
  parseFederatedCredential,
  parseGcpProvider,
  parseTrustPolicy,
  verdictJson,
} from '../../cloud/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { loadKeySource } from '../load-keys.ts'
import { renderDoctorHuman } from '../output/doctor-human.ts'
import { renderDoctorJson, toDoctorJson } from '../output/doctor-json.ts'
import type { Output } from '../output/stream.ts'
import { parseNow } from '../parse-now.ts'
import { readTextFile, readTokenArgument } from '../read-input.ts'
import { usageError } from '../usage-error.ts'

export const doctorTokenUsage = `usage: tessera doctor token <TOKEN | @FILE | -> --issuer URL --audience AUD [--audience AUD …]
    [--jwks FILE|URL | --discovery] [--alg ALG …] [--leeway S] [--max-lifetime S]
    [--max-token-age S] [--typ T] [--subject SUB …] [--require CLAIM …] [--now UNIX_SECONDS|ISO8601] [--json]
    [--aws-provider PROVIDER.json --aws-trust-policy POLICY.json [--role-session-name N]]
    [--gcp-provider PROVIDER.json] [--azure-fic FIC.json …]

Runs every check on the token (not only the first failure) and names the most likely root
cause. Without --jwks, keys come from the issuer's discovery document.
With a cloud's configuration (as \`aws iam get-open-id-connect-provider\` and \`aws iam get-role\`,
\`gcloud iam workload-identity-pools providers describe --format=json\`, or
\`az ad app federated-credential show\` print it), also says whether that cloud would accept the
token, with the cloud's own error code and message; --issuer and --audience then default to
what the configuration accepts.
Exit status: 0 valid (and accepted by every cloud given), 1 rejected, 2 usage error or
unreadable input.`

function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value)) {
    throw usageError(
      `--${flag} must be a whole number of seconds, got ${JSON.stringify(value)}`,
      flag,
    )
  }
  // 8.64e12 s is the last second a JavaScript Date can hold (ECMA-262 §21.4.1.22).
  if (Number(value) > 8.64e12) {
    throw usageError(`--${flag} must be at most 8640000000000 seconds, got ${value}`, flag)
  }
  return Number(value)
}

/** Parses the flags of `doctor token`, builds a verifier from them and evaluates the token. */
export async function runDoctorToken(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      issuer: { type: 'string' },
      audience: { type: 'string', multiple: true },
      jwks: { type: 'string' },
      discovery: { type: 'boolean', default: false },
      alg: { type: 'string', multiple: true },
      leeway: { type: 'string' },
      'max-lifetime': { type: 'string' },
      'max-token-age': { type: 'string' },
      typ: { type: 'string' },
      subject: { type: 'string', multiple: true },
      require: { type: 'string', multiple: true },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      'aws-provider': { type: 'string' },
      'aws-trust-policy': { type: 'string' },
      'role-session-name': { type: 'string' },
      'gcp-provider': { type: 'string' },
      'azure-fic': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(doctorTokenUsage)
    return exitCodes.ok
  }
  if (positionals.length > 1)
    throw usageError(`expected one token argument, got ${positionals.length}`, 'token')
  const clouds = loadClouds(values)
  const issuers = values.issuer === undefined ? clouds.issuers : [values.issuer]
  const audience = values.audience ?? clouds.audiences
  if (issuers.length === 0)
    throw usageError('--issuer is required: the issuer the token should come from', 'issuer')
  if (audience.length === 0)
    throw usageError('--audience is required: the identifier of the receiver', 'audience')
  const token = await readTokenArgument(positionals[0], stdin)
  const now = parseNow(values.now)
  const leeway = seconds('leeway', values.leeway)
  const maxLifetime = seconds('max-lifetime', values['max-lifetime'])
  const maxTokenAge = seconds('max-token-age', values['max-token-age'])
  const keys = loadKeySource(values.jwks, values.discovery, unverifiedKid(token))

  let verifier: ReturnType<typeof createVerifier>
  try {
    verifier = createVerifier({
      issuers: issuers.map((issuer) => ({
        issuer,
        ...keys,
        ...(values.alg ? { algorithms: values.alg as JwsAlgorithm[] } : {}),
      })),
      audience,
      ...(leeway === undefined ? {} : { leeway }),
      ...(maxLifetime === undefined ? {} : { maxLifetime }),
      ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
      ...(values.typ === undefined ? {} : { typ: values.typ }),
      ...(values.subject === undefined ? {} : { subject: values.subject }),
      ...(values.require === undefined ? {} : { requiredClaims: values.require }),
      ...(now === undefined ? {} : { clock: () => now }),
    })
  } catch (error) {
    if (error instanceof TesseraError && error.code === 'invalid_options') {
      throw usageError(
        (error.problems ?? []).map((p) => `${flagFor(p.path)}: ${p.message}`).join('; ') ||
          error.message,
      )
    }
    throw error
  }
  const evaluation = await verifier.evaluate(token)
  const context = {
    token,
    now: now ?? Math.floor(Date.now() / 1000),
    keys: describeKeys(values.jwks, values.discovery),
  }
  if (!clouds.any) {
    if (values.json) output.out(renderDoctorJson(evaluation))
    else renderDoctorHuman(evaluation, context, output)
    return evaluation.valid ? exitCodes.ok : exitCodes.rejected
  }
  const verdicts = evaluateClouds(clouds, evaluation, context.now)
  if (values.json) {
    const cloud = Object.fromEntries(
      Object.entries(verdicts).map(([name, v]) => [name, verdictJson(v)]),
    )
    output.out(JSON.stringify({ ...toDoctorJson(evaluation), cloud }))
  } else {
    renderDoctorHuman(evaluation, context, output)
    output.out('')
    output.out('clouds:')
    for (const [name, verdict] of Object.entries(verdicts))
      for (const line of describeVerdict(name, verdict)) output.out(`  ${line}`)
  }
  const accepted = Object.values(verdicts).every((v) => v.accepted)
  return evaluation.valid && accepted ? exitCodes.ok : exitCodes.rejected
}

/** The cloud configurations given on the command line, parsed once. */
interface Clouds {
  readonly any: boolean
  readonly aws?: AwsModel
  readonly gcp?: GcpProvider
  readonly azure?: readonly FederatedCredential[]
  /** The issuers and audiences the configurations accept, for the verifier's own checks. */
  readonly issuers: readonly string[]
  readonly audiences: string[]
}

function loadClouds(values: {
  readonly 'aws-provider'?: string | undefined
  readonly 'aws-trust-policy'?: string | undefined
  readonly 'role-session-name'?: string | undefined
  readonly 'gcp-provider'?: string | undefined
  readonly 'azure-fic'?: string[] | undefined
}): Clouds {
  const providerFile = values['aws-provider']
  const policyFile = values['aws-trust-policy']
  if ((providerFile === undefined) !== (policyFile === undefined))
    throw usageError(
      '--aws-provider and --aws-trust-policy go together: STS checks both the OIDC provider and the role',
      providerFile === undefined ? 'aws-provider' : 'aws-trust-policy',
    )
  if (values['role-session-name'] !== undefined && providerFile === undefined)
    throw usageError(
      '--role-session-name needs --aws-provider and --aws-trust-policy',
      'role-session-name',
    )
  const ficFiles = values['azure-fic'] ?? []
  if (ficFiles.length > maxFederatedCredentials)
    throw usageError(
      `--azure-fic was given ${ficFiles.length} times; Entra allows at most ${maxFederatedCredentials} federated credentials per application`,
      'azure-fic',
    )
  const issuers: string[] = []
  const audiences: string[] = []
  let aws: AwsModel | undefined
  if (providerFile !== undefined && policyFile !== undefined) {
    const provider = parseAwsProvider(readTextFile(providerFile, 'AWS OIDC provider'), providerFile)
    aws = {
      provider,
      trustPolicy: parseTrustPolicy(readTextFile(policyFile, 'AWS trust policy'), policyFile),
      ...(values['role-session-name'] === undefined
        ? {}
        : { roleSessionName: values['role-session-name'] }),
    }
    issuers.push(`https://${provider.url}`)
    audiences.push(...provider.clientIds)
  }
  const gcpFile = values['gcp-provider']
  let gcp: GcpProvider | undefined
  if (gcpFile !== undefined) {
    gcp = parseGcpProvider(readTextFile(gcpFile, 'GCP provider'), gcpFile)
    issuers.push(gcp.issuerUri)
    audiences.push(...acceptedAudiences(gcp))
  }
  const azure = ficFiles.map((f) =>
    parseFederatedCredential(readTextFile(f, 'Azure federated credential'), f),
  )
  for (const fic of azure) {
    issuers.push(fic.issuer)
    audiences.push(fic.audience)
  }
  return {
    any: aws !== undefined || gcp !== undefined || azure.length > 0,
    ...(aws === undefined ? {} : { aws }),
    ...(gcp === undefined ? {} : { gcp }),
    ...(azure.length === 0 ? {} : { azure }),
    issuers: [...new Set(issuers)],
    audiences: [...new Set(audiences)],
  }
}

// Each given cloud's verdict on the decoded token. A token that cannot be decoded reaches no
// cloud model: every cloud is reported as rejecting it, with the decoder's explanation.
function evaluateClouds(
  clouds: Clouds,
  evaluation: Evaluation,
  now: number,
): Record<string, CloudVerdict> {
  const verdicts: Record<string, CloudVerdict> = {}
  const names = [
    ...(clouds.aws ? ['aws'] : []),
    ...(clouds.gcp ? ['gcp'] : []),
    ...(clouds.azure ? ['azure'] : []),
  ]
  if (evaluation.header === undefined || evaluation.claims === undefined) {
    const primary = evaluation.primary as TesseraError
    const failure = {
      code: primary.code,
      message: `not evaluated: ${primary.message}`,
      explanation: primary,
    }
    for (const name of names) verdicts[name] = { accepted: false, ...failure, failures: [failure] }
    return verdicts
  }
  const token = { header: evaluation.header, claims: evaluation.claims, now }
  if (clouds.aws) verdicts.aws = evaluateAws(clouds.aws, token)
  if (clouds.gcp) verdicts.gcp = evaluateGcp(clouds.gcp, token)
  if (clouds.azure) verdicts.azure = evaluateAzure(clouds.azure, token)
  return verdicts
}

// Option paths from createVerifier mapped back to the flags that set them.
function flagFor(path: string): string {
  if (path.endsWith('.issuer')) return '--issuer'
  if (path.includes('.algorithms')) return '--alg'
  if (path.includes('.jwks') || path.includes('.discovery')) return '--jwks'
  const flags: Record<string, string> = {
    audience: '--audience',
    leeway: '--leeway',
    maxLifetime: '--max-lifetime',
    maxTokenAge: '--max-token-age',
    typ: '--typ',
    subject: '--subject',
    requiredClaims: '--require',
  }
  return flags[path] ?? path
}

function describeKeys(jwks: string | undefined, discovery: boolean): string {
  if (jwks !== undefined)
    return /^https?:\/\//i.test(jwks) ? `JWKS URL ${jwks}` : `key file ${jwks}`
  return discovery ? 'discovery' : 'discovery (no --jwks given)'
}

// The token's kid, read without verifying, only to label a PEM key (which has none).
function unverifiedKid(token: string): string | undefined {
  try {
    return decodeJwt(token, 1024 * 1024).header.kid
  } catch {
    return undefined
  }
}
