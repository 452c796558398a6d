import type { X509Certificate } from 'node:crypto'
import { parseArgs } from 'node:util'
import { quote, TesseraError } from '@tessera/verify'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { parseNow } from '../../parse-now.ts'
import { maxInputBytes, readBoundedInput } from '../../read-input.ts'
import { usageError } from '../../usage-error.ts'
import {
  buildChain,
  describeCertificate,
  expiryState,
  expiryWarningDays,
  isSelfSigned,
  keyMatchesCertificate,
  oneLine,
  parseCertificates,
} from './inspect-chain.ts'
import { describeKey, inspectKey, type KeyReport, keyFormatName } from './inspect-key.ts'
import { type KeyCheck, type KeyDoctorReport, renderKeyHuman, renderKeyJson } from './render.ts'

export const doctorKeyUsage = `usage: tessera doctor key KEY_FILE [--cert CERT_FILE] [--chain CHAIN_FILE]
    [--now UNIX_SECONDS|ISO8601] [--json]

Says what a private key file is (PEM or DER; PKCS#1, PKCS#8 or SEC1; encrypted or not; type
and size), whether it belongs to the certificate, whether the certificate chain (the leaf from
--cert, then the certificates of --chain) reaches a self-signed root, and when each certificate
expires (a warning within ${expiryWarningDays} days) — the checks otherwise run by hand with openssl when
a cloud rejects an uploaded key.
Exit status: 0 every check passed, 1 a finding, 2 usage error or unreadable input.`

/** Parses the flags of `doctor key`, inspects the key and certificates and reports. */
export async function runDoctorKey(argv: readonly string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      cert: { type: 'string' },
      chain: { type: 'string' },
      now: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(doctorKeyUsage)
    return exitCodes.ok
  }
  if (positionals.length !== 1)
    throw usageError(`expected one KEY_FILE argument, got ${positionals.length}`, 'key')
  if (values.chain !== undefined && values.cert === undefined)
    throw usageError(
      '--chain needs --cert: the chain is checked from the leaf certificate up',
      'chain',
    )
  const now = parseNow(values.now) ?? Math.floor(Date.now() / 1000)
  const keyFile = positionals[0] as string
  const key = inspectKey(readBinary(keyFile, 'key'), keyFile)
  const certFile = values.cert
  const certificates =
    certFile === undefined ? [] : parseCertificates(readBinary(certFile, 'certificate'), certFile)
  const chainFile = values.chain
  const chain =
    chainFile === undefined ? [] : parseCertificates(readBinary(chainFile, 'chain'), chainFile)
  const report = examine(keyFile, key, certificates, chain, now)
  if (values.json) output.out(renderKeyJson(report))
  else renderKeyHuman(report, output)
  return report.valid ? exitCodes.ok : exitCodes.rejected
}

/** Runs every check on the inspected files; a check whose input is missing is skipped. */
export function examine(
  keyFile: string,
  key: KeyReport,
  certificates: readonly X509Certificate[],
  chain: readonly X509Certificate[],
  now: number,
): KeyDoctorReport {
  const checks: KeyCheck[] = []
  const warnings: string[] = []
  checks.push(checkKey(keyFile, key))
  if (key.type === 'RSA' && key.bits !== undefined && key.bits < 2048)
    warnings.push(`the RSA key has ${key.bits} bits; most clouds and IdPs require at least 2048`)

  const leaf = certificates[0]
  if (leaf === undefined) {
    for (const name of ['certificate', 'chain', 'expiry'])
      checks.push({ name, status: 'skipped', reason: 'no --cert given' })
    return finish(key, checks, warnings, [], now)
  }
  checks.push(checkMatch(key, leaf))

  // Certificates after the leaf in the --cert file (a full-chain PEM) join the chain.
  const pool = [...certificates.slice(1), ...chain]
  let root: X509Certificate | undefined
  if (pool.length === 0 && !isSelfSigned(leaf)) {
    checks.push({ name: 'chain', status: 'skipped', reason: 'no --chain given' })
  } else {
    const result = buildChain(leaf, pool)
    if (result.complete) {
      root = result.path[result.path.length - 1] as X509Certificate
      checks.push({
        name: 'chain',
        status: 'ok',
        detail: `${result.path.length} certificate${result.path.length === 1 ? '' : 's'} up to the root ${quoteName(root.subject)}`,
      })
      if (result.outOfOrder)
        warnings.push(
          'the certificates are not in order (leaf first, then each issuer): many consumers (AWS, nginx) need that order',
        )
      for (const c of result.unused)
        warnings.push(`${quoteName(c.subject)} is not part of the chain to the root`)
    } else {
      const reached = result.path[result.path.length - 1] as X509Certificate
      checks.push({
        name: 'chain',
        status: 'failed',
        error: new TesseraError({
          code: 'chain_incomplete',
          message: `no certificate given issued ${quoteName(reached.subject)}: add its issuer ${quoteName(result.missingIssuer ?? '')} to --chain (leaf first, then each issuer up to the root)`,
          expected: `a certificate whose subject is ${oneLine(result.missingIssuer ?? '')}`,
          actual: pool.length === 0 ? 'no chain certificates' : pool.map((c) => oneLine(c.subject)),
        }),
      })
    }
  }
  checks.push(checkExpiry([leaf, ...pool], now, warnings))
  return finish(key, checks, warnings, [leaf, ...pool], now, root)
}

function checkKey(keyFile: string, key: KeyReport): KeyCheck {
  if (!key.encrypted) return { name: 'key', status: 'ok', detail: describeKey(key) }
  return {
    name: 'key',
    status: 'failed',
    error: new TesseraError({
      code: 'key_encrypted',
      message: `${JSON.stringify(keyFile)} is a passphrase-encrypted key (${keyFormatName(key)}${key.type === undefined ? '' : `, ${key.type}`}): AWS (IAM, ACM) and many other consumers need an unencrypted PEM private key; write a decrypted copy with \`openssl pkey -in ${shellQuote(keyFile)} -out key-plain.pem\` (it asks for the passphrase) and protect that file as you would the passphrase`,
      expected: 'an unencrypted private key',
      actual: key.format,
    }),
  }
}

function checkMatch(key: KeyReport, leaf: X509Certificate): KeyCheck {
  if (key.key === undefined)
    return { name: 'certificate', status: 'skipped', reason: 'the key is encrypted' }
  if (keyMatchesCertificate(key.key, leaf))
    return {
      name: 'certificate',
      status: 'ok',
      detail: `the key belongs to ${quoteName(leaf.subject)}`,
    }
  const certKey = leaf.publicKey.asymmetricKeyType?.toUpperCase() ?? 'unknown'
  return {
    name: 'certificate',
    status: 'failed',
    error: new TesseraError({
      code: 'key_certificate_mismatch',
      message: `the private key (${describeKey(key)}) is not the key of the certificate ${describeCertificate(leaf)}, whose public key is ${certKey}`,
      expected: `the private key of ${oneLine(leaf.subject)}`,
      actual: `another ${key.type ?? 'private'} key`,
    }),
  }
}

function checkExpiry(
  certificates: readonly X509Certificate[],
  now: number,
  warnings: string[],
): KeyCheck {
  const expired: string[] = []
  const notYetValid: string[] = []
  for (const c of certificates) {
    const s = expiryState(c, now)
    if (s.state === 'expired')
      expired.push(`${quoteName(c.subject)} expired on ${c.validToDate.toISOString()}`)
    else if (s.state === 'not_yet_valid')
      notYetValid.push(
        `${quoteName(c.subject)} is not valid before ${c.validFromDate.toISOString()}`,
      )
    else if (s.state === 'expiring')
      warnings.push(
        `${quoteName(c.subject)} expires on ${c.validToDate.toISOString()}, in ${s.daysLeft} day${s.daysLeft === 1 ? '' : 's'}: renew it now`,
      )
  }
  const at = new Date(now * 1000).toISOString()
  const failures = [...expired, ...notYetValid]
  if (failures.length === 0) {
    const first = Math.min(...certificates.map((c) => c.validToDate.getTime()))
    return {
      name: 'expiry',
      status: 'ok',
      detail: `${certificates.length} valid at ${at}; the first expires ${new Date(first).toISOString()}`,
    }
  }
  return {
    name: 'expiry',
    status: 'failed',
    // An expired certificate is the root cause whenever there is one (renewing it is the fix);
    // only a chain whose sole fault is a future notBefore is not_yet_valid.
    error: new TesseraError({
      code: expired.length > 0 ? 'certificate_expired' : 'not_yet_valid',
      check: 'expiry',
      message: `at ${at}, ${failures.join('; ')}`,
      expected: `valid at ${at}`,
      actual: failures,
    }),
  }
}

function finish(
  key: KeyReport,
  checks: KeyCheck[],
  warnings: string[],
  certificates: readonly X509Certificate[],
  now: number,
  root?: X509Certificate,
): KeyDoctorReport {
  const primary = checks.find((c) => c.status === 'failed')?.error
  return {
    valid: primary === undefined,
    ...(primary === undefined ? {} : { primary }),
    key,
    checks,
    warnings,
    certificates,
    now,
    ...(root === undefined ? {} : { root }),
  }
}

// The path as one shell word, so the printed command can be pasted.
function shellQuote(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`
}

function quoteName(name: string): string {
  return quote(oneLine(name))
}

/**
 * Reads a key or certificate file as bytes (DER is binary), with the CLI's one size cap.
 * @throws {TesseraError} `invalid_options` when the file cannot be read or is too large
 */
export function readBinary(path: string, what: string): Buffer {
  return readBoundedInput(path, what, maxInputBytes, what)
}
