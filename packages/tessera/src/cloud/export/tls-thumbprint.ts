import { X509Certificate } from 'node:crypto'
import { TesseraError } from '@tessera/verify'

const pemBlock = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

/**
 * The thumbprint IAM records for an OIDC provider: the SHA-1 fingerprint (40 lower-case hex
 * digits) of the top certificate of the chain the issuer serves — the last one in the PEM
 * chain file (the top intermediate, or the certificate itself when it is self-signed).
 *
 * IAM no longer relies on it for most providers: since July 2023 it validates the IdP's
 * certificate against its own trusted root CAs and uses the thumbprints only when the
 * certificate is not from a trusted CA, and CreateOpenIDConnectProvider accepts no thumbprint
 * at all (IAM API reference, UpdateOpenIDConnectProviderThumbprint and
 * CreateOpenIDConnectProvider; shared/reference/cloud-semantics.md §1.6). A private CA, as a
 * self-hosted Tessera often has, is the case where it still matters.
 * @throws {TesseraError} `invalid_config` when the text holds no certificate
 */
export function tlsThumbprints(chainPem: string): string[] {
  const blocks = chainPem.match(pemBlock) ?? []
  const top = blocks.at(-1)
  if (top === undefined)
    throw new TesseraError({
      code: 'invalid_config',
      message: 'the TLS certificate chain holds no PEM certificate, so no thumbprint for AWS',
      problems: [{ path: '/server/tls/certFile', message: 'expected PEM certificates' }],
    })
  return [new X509Certificate(top).fingerprint.replace(/:/g, '').toLowerCase()]
}
