import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto'
import { usageError } from '../../usage-error.ts'

/** Days before a certificate's notAfter from which `doctor key` warns. */
export const expiryWarningDays = 30

const certificateBlocks = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g

/**
 * Reads every certificate of a PEM file (in order), or the one certificate of a DER file.
 * @throws TesseraError `invalid_options` (exit status 2) when the file holds none.
 */
export function parseCertificates(data: Buffer, path: string): X509Certificate[] {
  const text = data.toString('latin1')
  const blocks = text.match(certificateBlocks) ?? []
  if (blocks.length === 0 && text.includes('-----BEGIN '))
    throw usageError(`${JSON.stringify(path)} holds no PEM CERTIFICATE block`, 'cert')
  const sources: (string | Buffer)[] = blocks.length > 0 ? blocks : [data]
  return sources.map((source, i) => {
    try {
      return new X509Certificate(source)
    } catch {
      throw usageError(
        `${JSON.stringify(path)}: certificate ${i + 1} is not a valid X.509 certificate (PEM or DER)`,
        'cert',
      )
    }
  })
}

/** True when the private key is the one the certificate's public key belongs to. */
export function keyMatchesCertificate(key: KeyObject, certificate: X509Certificate): boolean {
  const spki = (k: KeyObject): Buffer => k.export({ type: 'spki', format: 'der' })
  return spki(createPublicKey(key)).equals(spki(certificate.publicKey))
}

/** True when the certificate names itself as issuer and its signature verifies with its own key. */
export function isSelfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey)
}

/** The path from the leaf towards a root, and whether it got there. */
export interface ChainResult {
  /** Leaf first, then each issuer found; ends at the root when complete. */
  readonly path: readonly X509Certificate[]
  readonly complete: boolean
  /** The issuer name of the last certificate reached, when no certificate given issued it. */
  readonly missingIssuer?: string
  /** Given certificates the path never used. */
  readonly unused: readonly X509Certificate[]
  /** True when the given order was not leaf first, each certificate followed by its issuer. */
  readonly outOfOrder: boolean
}

/**
 * Follows issuers from the leaf through `pool` (in any order) up to a self-signed root. An
 * issuer counts only when its name matches (`checkIssued`) and its key verifies the signature.
 */
export function buildChain(leaf: X509Certificate, pool: readonly X509Certificate[]): ChainResult {
  const path = [leaf]
  let current = leaf
  // Each step consumes one certificate of the pool, so the walk ends.
  const left = [...pool]
  while (!isSelfSigned(current)) {
    const at = left.findIndex((c) => current.checkIssued(c) && current.verify(c.publicKey))
    if (at < 0) {
      return {
        path,
        complete: false,
        missingIssuer: current.issuer,
        unused: left,
        outOfOrder: false,
      }
    }
    current = left.splice(at, 1)[0] as X509Certificate
    path.push(current)
  }
  const given = [leaf, ...pool]
  const outOfOrder = path.some((c, i) => given[i] !== c)
  return { path, complete: true, unused: left, outOfOrder }
}

/** Where a certificate stands on its validity period at `now`. */
export interface ExpiryState {
  readonly certificate: X509Certificate
  readonly state: 'valid' | 'expiring' | 'expired' | 'not_yet_valid'
  /** Whole days from now to notAfter (negative once expired). */
  readonly daysLeft: number
}

/** The validity state of one certificate at `now` (epoch seconds). */
export function expiryState(certificate: X509Certificate, now: number): ExpiryState {
  const notBefore = certificate.validFromDate.getTime() / 1000
  const notAfter = certificate.validToDate.getTime() / 1000
  const daysLeft = Math.floor((notAfter - now) / 86_400)
  const state =
    now < notBefore
      ? 'not_yet_valid'
      : now > notAfter
        ? 'expired'
        : daysLeft < expiryWarningDays
          ? 'expiring'
          : 'valid'
  return { certificate, state, daysLeft }
}

/** How reports name a certificate: subject, SHA-256 fingerprint and validity. */
export function describeCertificate(certificate: X509Certificate): string {
  return `${oneLine(certificate.subject)} (SHA-256 ${certificate.fingerprint256}, valid ${certificate.validFromDate.toISOString()} to ${certificate.validToDate.toISOString()})`
}

/** A distinguished name as node prints it (one RDN per line) on one line. */
export function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ')
}
