import { createPrivateKey, type KeyObject } from 'node:crypto'
import { type Clock, quote, TesseraError } from '@tessera/verify'
import { type IdpMetadata, loadIdpMetadata, type SamlIdp } from '../saml/index.ts'
import type { SamlTrust } from '../sts/index.ts'
import type { Logger } from '../telemetry/index.ts'
import { readBoundedFile } from './read-bounded-file.ts'
import type { SamlIdpSettings } from './sections/compile-saml.ts'
import type { CompiledConfig } from './types.ts'

/** Options of `loadSamlTrust`. */
export interface LoadSamlTrustOptions {
  /** Where an `env:` decryption key is read. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly clock: Clock
  /** Timeout of each metadata fetch (default 5 s). */
  readonly timeoutMs?: number
  /** Where the metadata's expiry warnings go, at warn, each time metadata is loaded. */
  readonly logger?: Pick<Logger, 'warn'>
}

/** A loaded SAML trust and, per `samlIdps` entry, the metadata it was built from. */
export interface LoadedSamlTrust {
  readonly trust: SamlTrust
  readonly metadata: readonly (IdpMetadata | undefined)[]
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
 * Fetches the metadata of a `url` entry once (timeout, size cap, its signature when a
 * metadata signing certificate is configured). The entity ID is not compared here.
 *
 * @throws {TesseraError} the saml part's code: `upstream_unavailable`, `too_large`,
 * `malformed`, `missing_signature`, `bad_signature`…
 */
export function fetchIdpMetadata(
  idp: SamlIdpSettings & { readonly source: { readonly url: string } },
  options: Pick<LoadSamlTrustOptions, 'clock' | 'timeoutMs'>,
): Promise<IdpMetadata> {
  return loadIdpMetadata(idp.source.url, {
    timeoutMs: options.timeoutMs ?? defaultTimeoutMs,
    maxBytes: maxMetadataBytes,
    clock: options.clock,
    allowSha1: idp.allowSha1,
    ...(idp.metadataSigningCertificate === undefined
      ? {}
      : { signingCertificate: idp.metadataSigningCertificate }),
  })
}

/** The IdP the engine validates against: the entry's settings with its metadata's keys. */
export function samlIdpOf(idp: SamlIdpSettings, metadata: IdpMetadata | undefined): SamlIdp {
  return {
    entityId: idp.entityId,
    signingCertificates: metadata?.signingCertificates ?? [],
    allowSha1: idp.allowSha1,
    allowCbc: idp.allowCbc,
    ...(metadata?.validUntil === undefined ? {} : { validUntil: metadata.validUntil }),
  }
}

/**
 * Logs each warning of the metadata (`metadata_expired`, `certificate_expired`: expired or
 * expiring within 30 days) at warn: the signal that comes before an IdP's rotation breaks
 * sign-ins.
 */
export function logMetadataWarnings(
  logger: Pick<Logger, 'warn'> | undefined,
  entityId: string,
  metadata: IdpMetadata | undefined,
): void {
  for (const warning of metadata?.warnings ?? []) {
    logger?.warn({ code: warning.code, entityId }, warning.message)
  }
}

/**
 * Turns the compiled `samlIdps` and `saml` sections into what the exchange engine validates
 * SAML subject tokens against: a file's metadata (parsed at load) is used as it is, a URL's is
 * fetched now (with a timeout and a size cap) and must name the configured entity ID, and the
 * decryption key is read from its `env:` or `file:` reference. Undefined without `saml`.
 * The metadata's expiry warnings are logged at warn.
 *
 * @throws {TesseraError} `invalid_config` naming the entry whose metadata or key cannot be
 * loaded (the saml part's own code is the cause)
 */
export async function loadSamlTrust(
  config: Pick<CompiledConfig, 'samlIdps' | 'saml'>,
  options: LoadSamlTrustOptions,
): Promise<SamlTrust | undefined> {
  return (await loadSamlTrustWithMetadata(config, options))?.trust
}

/** `loadSamlTrust`, also returning each entry's metadata (to schedule its refresh). */
export async function loadSamlTrustWithMetadata(
  config: Pick<CompiledConfig, 'samlIdps' | 'saml'>,
  options: LoadSamlTrustOptions,
): Promise<LoadedSamlTrust | undefined> {
  const { saml } = config
  if (saml === undefined) return undefined
  const metadata = await Promise.all(
    config.samlIdps.map(async (idp, i): Promise<IdpMetadata | undefined> => {
      if (idp.metadata !== undefined || !('url' in idp.source)) return idp.metadata
      const { url } = idp.source
      const path = `/samlIdps/${i}/metadata/url`
      let fetched: IdpMetadata
      try {
        fetched = await fetchIdpMetadata({ ...idp, source: { url } }, options)
      } catch (error) {
        return refuse(
          path,
          `cannot load the metadata of ${quote(idp.entityId)} from ${quote(url)}: ${(error as Error).message}`,
          error,
        )
      }
      if (fetched.entityId !== idp.entityId) {
        refuse(
          path,
          `the metadata at ${quote(url)} is for entity ID ${quote(fetched.entityId)}, not the configured ${quote(idp.entityId)}`,
        )
      }
      return fetched
    }),
  )
  config.samlIdps.forEach((idp, i) => {
    logMetadataWarnings(options.logger, idp.entityId, metadata[i])
  })
  const decryptionKey =
    saml.decryptionKey === undefined ? undefined : await readDecryptionKey(saml, options)
  return {
    trust: {
      idps: config.samlIdps.map((idp, i) => samlIdpOf(idp, metadata[i])),
      spEntityId: saml.spEntityId,
      acsUrl: saml.acsUrl,
      clockSkewSeconds: saml.clockSkewSeconds,
      ...(decryptionKey === undefined ? {} : { decryptionKey }),
    },
    metadata,
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
