import { parseArgs } from 'node:util'
import { createVerifier, decodeJwt, type JwsAlgorithm, TesseraError } from '@tessera/verify'
import { exitCodes } from '../exit-codes.ts'
import { loadKeySource } from '../load-keys.ts'
import { renderDoctorHuman } from '../output/doctor-human.ts'
import { renderDoctorJson } from '../output/doctor-json.ts'
import type { Output } from '../output/stream.ts'
import { readTokenArgument } from '../read-input.ts'
import { usageError } from '../usage-error.ts'

export const doctorTokenUsage = `usage: tessera doctor token <TOKEN | @FILE | -> --issuer URL --audience AUD [--audience AUD …]
    [--jwks FILE|URL | --discovery] [--alg ALG …] [--leeway S] [--max-lifetime S]
    [--max-token-age S] [--typ T] [--subject SUB …] [--require CLAIM …] [--now UNIX_SECONDS] [--json]

Runs every check on the token (not only the first failure) and names the most likely root
cause. Without --jwks, keys come from the issuer's discovery document.
Exit status: 0 valid, 1 rejected, 2 usage error or unreadable input.`

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
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(doctorTokenUsage)
    return exitCodes.ok
  }
  if (positionals.length > 1)
    throw usageError(`expected one token argument, got ${positionals.length}`, 'token')
  if (values.issuer === undefined)
    throw usageError('--issuer is required: the issuer the token should come from', 'issuer')
  if (values.audience === undefined)
    throw usageError('--audience is required: the identifier of the receiver', 'audience')
  const token = await readTokenArgument(positionals[0], stdin)
  const now = seconds('now', values.now)
  const leeway = seconds('leeway', values.leeway)
  const maxLifetime = seconds('max-lifetime', values['max-lifetime'])
  const maxTokenAge = seconds('max-token-age', values['max-token-age'])
  const keys = loadKeySource(values.jwks, values.discovery, unverifiedKid(token))

  let verifier: ReturnType<typeof createVerifier>
  try {
    verifier = createVerifier({
      issuers: [
        {
          issuer: values.issuer,
          ...keys,
          ...(values.alg ? { algorithms: values.alg as JwsAlgorithm[] } : {}),
        },
      ],
      audience: values.audience,
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
  if (values.json) output.out(renderDoctorJson(evaluation))
  else renderDoctorHuman(evaluation, context, output)
  return evaluation.valid ? exitCodes.ok : exitCodes.rejected
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
