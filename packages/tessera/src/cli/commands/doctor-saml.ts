import { parseArgs } from 'node:util'
import { codes, fingerprint, isTesseraError, type ShownValue, TesseraError } from '@tessera/verify'
import { evaluateSamlResponse, loadIdpMetadata, type SamlEvaluation } from '../../saml/index.ts'
import { awsSamlAttributes, awsSigninSamlUrl, awsWireCodeOf } from '../../sts/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { loadDecryptionKey } from '../load-decryption-key.ts'
import { type DoctorJson, toDoctorJsonCheck } from '../output/doctor-json.ts'
import type { Output } from '../output/stream.ts'
import { parseNow } from '../parse-now.ts'
import { readStdin, readTextFile } from '../read-input.ts'
import { usageError } from '../usage-error.ts'

export const doctorSamlUsage = `usage: tessera doctor saml <RESPONSE_FILE | -> --metadata FILE|URL --sp-entity-id ID --acs-url URL
    [--request-id ID] [--skew S] [--decryption-key FILE] [--now UNIX_SECONDS|ISO8601]
    [--json] [--aws]

Runs every check on a SAML Response (base64 as the POST binding carries it, or XML) against
the IdP's metadata — signature, issuer, status, destination, recipient, audience, times —
not only the first failure, and names the most likely root cause. Nothing is recorded (no
replay check). With --aws, also says what AssumeRoleWithSAML would answer (its error code and
message); --acs-url and --sp-entity-id then default to AWS's https://signin.aws.amazon.com/saml
and urn:amazon:webservices. An EncryptedAssertion is opened with --decryption-key, the SP's
unencrypted RSA private key (PEM or DER).
Exit status: 0 valid, 1 rejected, 2 usage error or unreadable input.`

const metadataTimeoutMs = 5000

/** Parses the flags of `doctor saml`, loads the metadata and evaluates the Response. */
export async function runDoctorSaml(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      metadata: { type: 'string' },
      'sp-entity-id': { type: 'string' },
      'acs-url': { type: 'string' },
      'request-id': { type: 'string' },
      skew: { type: 'string' },
      'decryption-key': { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      aws: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(doctorSamlUsage)
    return exitCodes.ok
  }
  if (positionals.length !== 1) {
    throw usageError(
      `expected one Response argument (a file or - for standard input), got ${positionals.length}`,
      'response',
    )
  }
  const spEntityId = values['sp-entity-id'] ?? (values.aws ? 'urn:amazon:webservices' : undefined)
  const acsUrl = values['acs-url'] ?? (values.aws ? awsSigninSamlUrl : undefined)
  if (values.metadata === undefined) {
    throw usageError('--metadata is required: the IdP metadata file or URL', 'metadata')
  }
  if (spEntityId === undefined) {
    throw usageError(
      '--sp-entity-id is required: the Audience the Response must name',
      'sp-entity-id',
    )
  }
  if (acsUrl === undefined) {
    throw usageError('--acs-url is required: the Destination and Recipient', 'acs-url')
  }
  const skew = readSkew(values.skew)
  const now = parseNow(values.now) ?? Math.floor(Date.now() / 1000)
  const decryptionKeyFile = values['decryption-key']
  const decryptionKey =
    decryptionKeyFile === undefined ? undefined : loadDecryptionKey(decryptionKeyFile)
  const arg = positionals[0] as string
  const response = arg === '-' ? await readStdin(stdin) : readTextFile(arg, 'SAML Response')
  let metadata: Awaited<ReturnType<typeof loadIdpMetadata>>
  try {
    metadata = await loadIdpMetadata(values.metadata, {
      timeoutMs: metadataTimeoutMs,
      clock: () => now,
    })
  } catch (error) {
    if (!isTesseraError(error)) throw error
    throw usageError(
      `cannot use the metadata ${JSON.stringify(values.metadata)}: ${error.message}`,
      'metadata',
    )
  }
  const evaluation = await evaluateSamlResponse(response.trim(), {
    idps: [{ entityId: metadata.entityId, signingCertificates: metadata.signingCertificates }],
    spEntityId,
    acsUrl,
    clock: () => now,
    ...(values['request-id'] === undefined ? {} : { requestId: values['request-id'] }),
    ...(skew === undefined ? {} : { clockSkewSeconds: skew }),
    ...(decryptionKey === undefined ? {} : { decryptionKey }),
  })
  const aws = values.aws ? awsAnswer(evaluation) : undefined
  if (values.json) {
    output.out(JSON.stringify({ ...toJson(evaluation), ...(aws === undefined ? {} : { aws }) }))
  } else {
    renderHuman(evaluation, { response, now, metadata: values.metadata }, output)
    for (const warning of metadata.warnings)
      output.out(`metadata warning: ${warning.code}: ${warning.message}`)
    if (aws !== undefined) {
      output.out(
        aws.accepted
          ? `AssumeRoleWithSAML: would accept the assertion (the role's trust policy still decides)`
          : `AssumeRoleWithSAML would answer ${aws.code} (HTTP ${aws.status}): ${aws.message}`,
      )
    }
  }
  return evaluation.valid && aws?.accepted !== false ? exitCodes.ok : exitCodes.rejected
}

function readSkew(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,5}$/.test(value)) {
    throw usageError(
      `--skew must be a whole number of seconds, got ${JSON.stringify(value)}`,
      'skew',
    )
  }
  return Number(value)
}

/** What AssumeRoleWithSAML would answer: its wire code for the root cause, or acceptance. */
interface AwsAnswer {
  readonly accepted: boolean
  readonly code: string | null
  readonly status: number | null
  readonly message: string | null
}

// AWS reads two attributes of every assertion: a valid Response without them is still refused.
function awsAnswer(evaluation: SamlEvaluation): AwsAnswer {
  let cause = evaluation.primary
  const attributes = evaluation.assertion?.attributes
  if (cause === undefined && attributes !== undefined) {
    const missing = [awsSamlAttributes.role, awsSamlAttributes.roleSessionName].filter(
      (name) => (attributes[name]?.length ?? 0) === 0,
    )
    if (missing.length > 0) {
      cause = new TesseraError({
        code: 'missing_claim',
        check: 'saml_attribute',
        message: `the assertion has no ${missing.join(' and no ')} attribute`,
      })
    }
  }
  if (cause === undefined) return { accepted: true, code: null, status: null, message: null }
  const row = awsWireCodeOf(cause, 'AssumeRoleWithSAML')
  return {
    accepted: false,
    code: row.code,
    status: row.status,
    message: `${row.message} (Tessera ${cause.code}: ${cause.message})`,
  }
}

function toJson(evaluation: SamlEvaluation): DoctorJson {
  return {
    valid: evaluation.valid,
    code: evaluation.primary?.code ?? null,
    hint: evaluation.primary?.hint ?? null,
    checks: evaluation.checks.map((c) => toDoctorJsonCheck(c, 'an earlier check failed')),
  }
}

const show = (v: ShownValue): string =>
  typeof v === 'string' ? JSON.stringify(v) : `[${v.map((x) => JSON.stringify(x)).join(', ')}]`

function renderHuman(
  evaluation: SamlEvaluation,
  context: { response: string; now: number; metadata: string },
  output: Output,
): void {
  const { style } = output
  output.out(
    style('bold', 'tessera doctor saml') +
      style(
        'dim',
        ` — Response ${fingerprint(context.response)} (${context.response.length} bytes), metadata ${context.metadata}, now ${new Date(context.now * 1000).toISOString()}`,
      ),
  )
  const width = Math.max(...evaluation.checks.map((c) => c.name.length))
  for (const c of evaluation.checks) {
    const name = c.name.padEnd(width)
    if (c.status === 'ok') output.out(`  ${style('green', '✓')} ${name}`)
    else if (c.status === 'skipped')
      output.out(style('dim', `  – ${name}  skipped${c.reason ? `: ${c.reason}` : ''}`))
    else if (c.error !== undefined) {
      const e = c.error
      output.out(`  ${style('red', '✗')} ${name}  ${e.code}: ${e.message}`)
      const pad = ' '.repeat(width + 6)
      if (e.expected !== undefined) output.out(`${pad}expected: ${show(e.expected)}`)
      if (e.actual !== undefined) output.out(`${pad}actual:   ${show(e.actual)}`)
      if (e.hint !== undefined) output.out(`${pad}hint:     ${e.hint}`)
    }
  }
  output.out('')
  const primary = evaluation.primary
  if (evaluation.valid || primary === undefined) {
    const a = evaluation.assertion
    output.out(style('green', 'valid: every check passed'))
    if (a !== undefined) {
      output.out(
        `  issuer ${a.issuer}, NameID ${a.nameId}, signed by ${a.signedBy.subject} (${a.signedBy.fingerprint256})`,
      )
    }
    return
  }
  const failed = evaluation.checks.filter((c) => c.status === 'failed').length
  output.out(`${style('red', 'rejected')}: ${failed} check${failed === 1 ? '' : 's'} failed`)
  output.out(
    `root cause: ${style('bold', primary.code)}${primary.hint ? ` (${primary.hint})` : ''} — ${primary.message}`,
  )
  output.out(`what it means: ${codes[primary.code].summary}`)
}
