import { createPrivateKey, type KeyObject, type PrivateKeyInput } from 'node:crypto'
import { usageError } from '../../usage-error.ts'

/** The container a private key file uses, as `openssl` names it. */
export type KeyFormat =
  | 'PKCS#1'
  | 'PKCS#8'
  | 'SEC1'
  | 'encrypted PKCS#8'
  | 'encrypted legacy PEM (PKCS#1)'
  | 'encrypted legacy PEM (SEC1)'

/** What a private key file holds, without any of its material. */
export interface KeyReport {
  readonly encoding: 'PEM' | 'DER'
  readonly format: KeyFormat
  readonly encrypted: boolean
  /** `RSA`, `RSA-PSS`, `EC`, `Ed25519`, …; absent when encryption hides it. */
  readonly type?: string
  readonly bits?: number
  readonly curve?: string
  /** The imported key; absent when the file is encrypted. */
  readonly key?: KeyObject
}

const pemBlocks = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g

// OpenSSL's curve names mapped to the names clouds and JOSE use.
const curveNames: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
  secp256k1: 'secp256k1',
}

/**
 * Says what a private key file is: PEM or DER; PKCS#1, PKCS#8, SEC1 or an encrypted form;
 * the key type and size or curve. An encrypted key is detected by node:crypto refusing it
 * without a passphrase, so nothing is guessed from headers alone.
 * @throws TesseraError `invalid_options` (exit status 2) for a file that holds no private key.
 */
export function inspectKey(data: Buffer, path: string): KeyReport {
  const text = data.toString('latin1')
  const blocks = [...text.matchAll(pemBlocks)]
  // `openssl ecparam -genkey` writes EC PARAMETERS before the key; a combined file may hold
  // certificates too: the first private key block is the key.
  const block = blocks.find((b) => (b[1] as string).endsWith('PRIVATE KEY')) ?? blocks[0]
  if (block !== undefined) return inspectPem(block[0], block[1] as string, block[2] as string, path)
  if (text.includes('-----BEGIN '))
    throw notAKey(path, 'an incomplete PEM block (no matching END line)')
  return inspectDer(data, path)
}

function inspectPem(text: string, label: string, body: string, path: string): KeyReport {
  const legacyEncrypted = /^Proc-Type:\s*4,ENCRYPTED/m.test(body)
  let format: KeyFormat
  switch (label) {
    case 'RSA PRIVATE KEY':
      format = legacyEncrypted ? 'encrypted legacy PEM (PKCS#1)' : 'PKCS#1'
      break
    case 'EC PRIVATE KEY':
      format = legacyEncrypted ? 'encrypted legacy PEM (SEC1)' : 'SEC1'
      break
    case 'PRIVATE KEY':
      format = 'PKCS#8'
      break
    case 'ENCRYPTED PRIVATE KEY':
      format = 'encrypted PKCS#8'
      break
    case 'OPENSSH PRIVATE KEY':
      throw notAKey(
        path,
        'an OpenSSH private key; convert a copy to PEM with `ssh-keygen -p -m PEM -f COPY`',
      )
    default:
      throw notAKey(path, `a PEM block labelled ${JSON.stringify(label)}`)
  }
  let loaded: KeyObject | false
  try {
    loaded = loadUnlessEncrypted({ key: text, format: 'pem' })
  } catch (error) {
    throw notAKey(path, `a private key node:crypto cannot read (${codeOf(error) || 'error'})`)
  }
  if (loaded !== false) return describe('PEM', format, loaded)
  // The key type of a legacy encrypted PEM is in its label; encrypted PKCS#8 hides it.
  const type = label === 'RSA PRIVATE KEY' ? 'RSA' : label === 'EC PRIVATE KEY' ? 'EC' : undefined
  return { encoding: 'PEM', format, encrypted: true, ...(type === undefined ? {} : { type }) }
}

function inspectDer(data: Buffer, path: string): KeyReport {
  // OpenSSL's decoders read PKCS#1 bytes as SEC1 and the other way round: each container
  // counts only with the key type it can hold.
  const containers = [
    { type: 'pkcs8', format: 'PKCS#8', holds: undefined },
    { type: 'pkcs1', format: 'PKCS#1', holds: 'rsa' },
    { type: 'sec1', format: 'SEC1', holds: 'ec' },
  ] as const
  for (const { type, format, holds } of containers) {
    let loaded: KeyObject | false
    try {
      loaded = loadUnlessEncrypted({ key: data, format: 'der', type })
    } catch {
      continue
    }
    // Only PKCS#8 has an encrypted DER form.
    if (loaded === false) return { encoding: 'DER', format: 'encrypted PKCS#8', encrypted: true }
    if (holds === undefined || loaded.asymmetricKeyType === holds)
      return describe('DER', format, loaded)
  }
  throw notAKey(path, `${data.length} bytes that are neither PEM nor a DER private key`)
}

// A probe passphrase: an encrypted key then fails to decrypt instead of failing to ask.
const probe = 'tessera-doctor-key-probe'
const encryptedCodes = new Set([
  'ERR_MISSING_PASSPHRASE',
  'ERR_OSSL_CRYPTO_INTERRUPTED_OR_CANCELLED',
  'ERR_OSSL_BAD_DECRYPT',
])

/**
 * Imports the key; returns false when it is encrypted. Detected by node:crypto itself: without
 * a passphrase it refuses to ask (its code differs across OpenSSL versions), with a wrong
 * one it fails to decrypt. An unencrypted key that is merely damaged fails the same way both times.
 */
function loadUnlessEncrypted(input: PrivateKeyInput): KeyObject | false {
  try {
    return createPrivateKey(input)
  } catch (error) {
    if (encryptedCodes.has(codeOf(error))) return false
    try {
      createPrivateKey({ ...input, passphrase: probe })
    } catch (second) {
      if (encryptedCodes.has(codeOf(second))) return false
    }
    throw error
  }
}

function codeOf(error: unknown): string {
  return (error as { code?: string }).code ?? ''
}

function describe(encoding: 'PEM' | 'DER', format: KeyFormat, key: KeyObject): KeyReport {
  const details = key.asymmetricKeyDetails ?? {}
  const raw = key.asymmetricKeyType ?? 'unknown'
  const type = raw === 'ed25519' ? 'Ed25519' : raw === 'ed448' ? 'Ed448' : raw.toUpperCase()
  const curve = details.namedCurve
  return {
    encoding,
    format,
    encrypted: false,
    type,
    ...(details.modulusLength === undefined ? {} : { bits: details.modulusLength }),
    ...(curve === undefined ? {} : { curve: curveNames[curve] ?? curve }),
    key,
  }
}

function notAKey(path: string, what: string): Error {
  return usageError(`${JSON.stringify(path)} holds ${what}, not a private key`, 'key')
}

/**
 * The key's format and encoding, e.g. `PKCS#8 PEM`; a format that already names its encoding
 * (`encrypted legacy PEM (PKCS#1)`, only ever PEM) is not followed by it a second time.
 */
export function keyFormatName(report: Pick<KeyReport, 'format' | 'encoding'>): string {
  return report.format.includes(report.encoding)
    ? report.format
    : `${report.format} ${report.encoding}`
}

/** One line that says what the key is, e.g. `PKCS#8 PEM, RSA 2048 bits, unencrypted`. */
export function describeKey(report: KeyReport): string {
  const size =
    report.bits !== undefined
      ? ` ${report.bits} bits`
      : report.curve !== undefined
        ? ` ${report.curve}`
        : ''
  const type = report.type === undefined ? 'key type hidden by encryption' : `${report.type}${size}`
  return `${keyFormatName(report)}, ${type}, ${report.encrypted ? 'encrypted' : 'unencrypted'}`
}
