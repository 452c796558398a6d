import type { X509Certificate } from 'node:crypto'

/** How a certificate is shown: SHA-256 fingerprint, subject, validity; never the whole PEM. */
export function describeCertificate(cert: X509Certificate): string {
  return `${cert.fingerprint256} (subject ${oneLine(cert.subject)}, valid ${isoDate(cert.validFrom)} to ${isoDate(cert.validTo)})`
}

/** The `signedBy` summary of a certificate. */
export function signerSummary(cert: X509Certificate): {
  fingerprint256: string
  subject: string
  validTo: string
} {
  return {
    fingerprint256: cert.fingerprint256,
    subject: oneLine(cert.subject),
    validTo: isoDate(cert.validTo),
  }
}

/**
 * The configured certificate the signer looks like the successor of: same subject and issuer,
 * later notBefore. That is what an IdP's rotation looks like when the metadata is stale.
 */
export function predecessorOf(
  signer: X509Certificate,
  configured: readonly X509Certificate[],
): X509Certificate | undefined {
  const from = Date.parse(signer.validFrom)
  return configured.find(
    (c) =>
      c.subject === signer.subject && c.issuer === signer.issuer && Date.parse(c.validFrom) < from,
  )
}

function oneLine(dn: string): string {
  return dn.split('\n').join(', ')
}

function isoDate(text: string): string {
  const t = Date.parse(text)
  return Number.isNaN(t) ? text : new Date(t).toISOString()
}
