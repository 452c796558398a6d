import { createPrivateKey, type KeyObject } from 'node:crypto'
import { type Clock, quote, TesseraError } from '@tessera/verify'
import { type IdpMetadata, loadIdpMetadata, type SamlIdp } from '../saml/index.ts'
import type { SamlTrust } from '../sts/index.ts'
import { readBoundedFile } from './read-bounded-file.ts'
import type { CompiledConfig } from './types.ts'

/** Options of `loadSamlTrust`. */
export interface LoadSamlTrustOptions {
  /** Where an `env:` decryption key is read. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly clock: Clock
  /** Timeout of each metadata fetch (default 5 s). */
  readonly timeoutMs?: number
}

const defaultTimeoutMs = 5000
// Metadata of a large federation runs to megabytes; one IdP's is a few kilobytes.
const maxMetadataBytes = 1_048_576

function refuse(path: string, message: string, cause?: unknown): never {
  throw new TesseraError({
    code: 'invalid_config',
    message,
    problems: [{ path, message }],
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * Turns the compiled `samlIdps` and `saml` sections into what the exchange engine validates
 * SAML subject tokens against: a file's metadata (parsed at load) is used as it is, a URL's is
 * fetched now (with a timeout and a size cap) and must name the configured entity ID, and the
 * decryption key is read from its `env:` or `file:` reference. Undefined without `saml`.
 *
 * @throws {TesseraError} `invalid_config` naming the entry whose metadata or key cannot be
 * loaded (the saml part's own code is the cause)
 */
export async function loadSamlTrust(
  config: Pick<CompiledConfig, 'samlIdps' | 'saml'>,
  options: LoadSamlTrustOptions,
): Promise<SamlTrust | undefined> {
  const { saml } = config
  if (saml === undefined) return undefined
  const idps = await Promise.all(
    config.samlIdps.map(async (idp, i): Promise<SamlIdp> => {
      let metadata: IdpMetadata | undefined = idp.metadata
      if (metadata === undefined && 'url' in idp.source) {
        const path = `/samlIdps/${i}/metadata/url`
        try {
          metadata = await loadIdpMetadata(idp.source.url, {
            timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
            maxBytes: maxMetadataBytes,
            clock: options.clock,
            ...(idp.metadataSigningCertificate === undefined
              ? {}
              : { signingCertificate: idp.metadataSigningCertificate }),
          })
        } catch (error) {
          return refuse(
            path,
            `cannot load the metadata of ${quote(idp.entityId)} from ${quote(idp.source.url)}: ${(error as Error).message}`,
            error,
          )
        }
        if (metadata.entityId !== idp.entityId) {
          refuse(
            path,
            `the metadata at ${quote(idp.source.url)} is for entity ID ${quote(metadata.entityId)}, not the configured ${quote(idp.entityId)}`,
          )
        }
      }
      return {
        entityId: idp.entityId,
        signingCertificates: metadata?.signingCertificates ?? [],
        allowSha1: idp.allowSha1,
        allowCbc: idp.allowCbc,
      }
    }),
  )
  const decryptionKey =
    saml.decryptionKey === undefined ? undefined : await readDecryptionKey(saml, options)
  return {
    idps,
    spEntityId: saml.spEntityId,
    acsUrl: saml.acsUrl,
    clockSkewSeconds: saml.clockSkewSeconds,
    ...(decryptionKey === undefined ? {} : { decryptionKey }),
  }
}

async function readDecryptionKey(
  saml: NonNullable<CompiledConfig['saml']>,
  options: LoadSamlTrustOptions,
): Promise<KeyObject> {
  const path = '/saml/decryptionKey'
  const ref = saml.decryptionKey as NonNullable<typeof saml.decryptionKey>
  let pem: string
  if (ref.kind === 'env') {
    const value = options.env[ref.name]
    if (value === undefined || value === '') {
      return refuse(path, `environment variable ${ref.name} named by saml.decryptionKey is not set`)
    }
    pem = value
  } else {
    const read = await readBoundedFile(ref.path)
    if ('problem' in read) return refuse(path, `cannot read ${quote(ref.path)}: ${read.problem}`)
    pem = read.bytes.toString('utf8')
  }
  try {
    const key = createPrivateKey(pem)
    if (key.asymmetricKeyType !== 'rsa') {
      refuse(
        path,
        `saml.decryptionKey is a ${key.asymmetricKeyType} key: RSA-OAEP key transport needs an RSA private key`,
      )
    }
    return key
  } catch (error) {
    if (error instanceof TesseraError) throw error
    // The key text is never echoed: only why it was refused.
    return refuse(
      path,
      'saml.decryptionKey is not an unencrypted PEM or DER private key (run tessera doctor key on it)',
      error,
    )
  }
}
