import { X509Certificate } from 'node:crypto'
import { type FileHandle, open } from 'node:fs/promises'
import { type Clock, quote, systemClock, TesseraError } from '@tessera/verify'
import { parseDateTime } from './assertion.ts'
import { describeCertificate } from './certificates.ts'
import {
  attribute,
  childElement,
  childElements,
  indexDocument,
  isElement,
  ns,
  textOf,
} from './dom.ts'
import { parseXml } from './parse-xml.ts'
import { verifyEnvelopedSignature } from './signature.ts'
import type { IdpMetadata, MetadataWarning } from './types.ts'

const warnWithinSeconds = 30 * 24 * 3600
const defaultTimeoutMs = 5000
const defaultMaxMetadataBytes = 1024 * 1024
// xs:duration (XML Schema part 2 §3.2.6), as cacheDuration uses it: PnYnMnDTnHnMnS.
const duration =
  /^(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

/** Options for reading IdP metadata. */
export interface MetadataOptions {
  /** Verify the metadata's signature with this certificate (required to be signed when set). */
  readonly signingCertificate?: X509Certificate
  /** The EntityDescriptor to take from an EntitiesDescriptor. */
  readonly entityId?: string
  readonly clock?: Clock
  readonly allowSha1?: boolean
}

/** Options for loading IdP metadata from a file or URL. */
export interface LoadMetadataOptions extends MetadataOptions {
  /** Timeout of the HTTP fetch; default 5000 ms. */
  readonly timeoutMs?: number
  /** Largest metadata accepted; default 1 MiB. */
  readonly maxBytes?: number
}

function malformed(message: string): TesseraError {
  return new TesseraError({ code: 'malformed', check: 'metadata', message })
}

/** Parses xs:duration to seconds (years 365 days, months 30 days), or throws `malformed`. */
export function parseDuration(value: string): number {
  const m = duration.exec(value)
  if (m === null || value === 'P' || value.endsWith('T'))
    throw malformed(`cacheDuration ${quote(value)} is not an xs:duration`)
  const [, sign, y, mo, d, h, mi, s] = m
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v))
  const seconds = n(y) * 31536000 + n(mo) * 2592000 + n(d) * 86400 + n(h) * 3600 + n(mi) * 60 + n(s)
  return sign ? -seconds : seconds
}

/**
 * Reads an IdP's SAML metadata: the EntityDescriptor (or the one named `entityId` inside an
 * EntitiesDescriptor), its IDPSSODescriptor signing certificates (use="signing" or no use) and
 * SSO endpoints, validUntil and cacheDuration. With `signingCertificate`, the metadata must
 * carry a valid signature by it. Warns about metadata and certificates expired or expiring
 * within 30 days.
 */
export function parseIdpMetadata(xml: string, options: MetadataOptions = {}): IdpMetadata {
  const doc = parseXml(xml, 'IdP metadata')
  const root = doc.documentElement
  let entity: Element | undefined
  if (isElement(root, ns.metadata, 'EntityDescriptor')) entity = root
  else if (isElement(root, ns.metadata, 'EntitiesDescriptor')) {
    const all = descendants(root, 'EntityDescriptor')
    entity =
      options.entityId === undefined
        ? all.length === 1
          ? all[0]
          : undefined
        : all.find((e) => attribute(e, 'entityID') === options.entityId)
    if (entity === undefined) {
      throw malformed(
        options.entityId === undefined
          ? `the EntitiesDescriptor holds ${all.length} EntityDescriptors; name the IdP's entityID`
          : `the EntitiesDescriptor holds no EntityDescriptor with entityID ${quote(options.entityId)}`,
      )
    }
  } else {
    throw malformed(
      `the metadata's root is ${root.localName}, expected EntityDescriptor or EntitiesDescriptor`,
    )
  }
  if (options.signingCertificate !== undefined) verifyMetadataSignature(xml, root, entity, options)
  const entityId = attribute(entity, 'entityID')
  if (entityId === undefined || entityId === '')
    throw malformed('the EntityDescriptor has no entityID')
  const idpDescriptor = childElement(entity, ns.metadata, 'IDPSSODescriptor')
  if (idpDescriptor === undefined) throw malformed(`${quote(entityId)} has no IDPSSODescriptor`)
  const signingCertificates: X509Certificate[] = []
  for (const kd of childElements(idpDescriptor, ns.metadata, 'KeyDescriptor')) {
    const use = attribute(kd, 'use')
    if (use !== undefined && use !== 'signing') continue
    const keyInfo = childElement(kd, ns.dsig, 'KeyInfo')
    for (const data of keyInfo ? childElements(keyInfo, ns.dsig, 'X509Data') : []) {
      for (const c of childElements(data, ns.dsig, 'X509Certificate')) {
        try {
          signingCertificates.push(
            new X509Certificate(Buffer.from(textOf(c).replace(/\s+/g, ''), 'base64')),
          )
        } catch (cause) {
          throw new TesseraError({
            code: 'malformed',
            check: 'metadata',
            message: `a signing certificate of ${quote(entityId)} cannot be read`,
            cause,
          })
        }
      }
    }
  }
  if (signingCertificates.length === 0)
    throw malformed(`${quote(entityId)} publishes no signing certificate`)
  const ssoEndpoints = childElements(idpDescriptor, ns.metadata, 'SingleSignOnService').map(
    (s) => ({
      binding: attribute(s, 'Binding') ?? '',
      location: attribute(s, 'Location') ?? '',
    }),
  )
  const validUntilText = attribute(entity, 'validUntil') ?? attribute(root, 'validUntil')
  const cacheText = attribute(entity, 'cacheDuration') ?? attribute(root, 'cacheDuration')
  const validUntil =
    validUntilText === undefined ? undefined : parseDateTime(validUntilText, 'validUntil')
  const cacheDurationSeconds = cacheText === undefined ? undefined : parseDuration(cacheText)
  const now = (options.clock ?? systemClock)()
  const warnings: MetadataWarning[] = []
  if (validUntil !== undefined) {
    const when = new Date(validUntil * 1000).toISOString()
    if (validUntil <= now)
      warnings.push({
        code: 'metadata_expired',
        message: `the metadata of ${quote(entityId)} expired at ${when} (validUntil)`,
      })
    else if (validUntil - now <= warnWithinSeconds) {
      warnings.push({
        code: 'metadata_expired',
        message: `the metadata of ${quote(entityId)} expires at ${when} (validUntil), within 30 days`,
      })
    }
  }
  for (const cert of signingCertificates) {
    const end = Date.parse(cert.validTo) / 1000
    if (end <= now)
      warnings.push({
        code: 'certificate_expired',
        message: `signing certificate ${describeCertificate(cert)} has expired`,
      })
    else if (end - now <= warnWithinSeconds) {
      warnings.push({
        code: 'certificate_expired',
        message: `signing certificate ${describeCertificate(cert)} expires within 30 days`,
      })
    }
  }
  return {
    entityId,
    signingCertificates,
    ssoEndpoints,
    warnings,
    ...(validUntil === undefined ? {} : { validUntil }),
    ...(cacheDurationSeconds === undefined ? {} : { cacheDurationSeconds }),
  }
}

function descendants(root: Element, localName: string): Element[] {
  const found: Element[] = []
  const visit = (e: Element) => {
    for (const c of childElements(e, ns.metadata, localName)) found.push(c)
    for (const c of childElements(e, ns.metadata, 'EntitiesDescriptor')) visit(c)
  }
  visit(root)
  return found
}

// The signature may sit on the EntitiesDescriptor or on the EntityDescriptor itself.
function verifyMetadataSignature(
  xml: string,
  root: Element,
  entity: Element,
  options: MetadataOptions,
): void {
  const signature =
    childElement(entity, ns.dsig, 'Signature') ?? childElement(root, ns.dsig, 'Signature')
  if (signature === undefined) {
    throw new TesseraError({
      code: 'missing_signature',
      check: 'metadata',
      message: 'the IdP metadata is not signed, but a metadata signing certificate is configured',
    })
  }
  const cert = options.signingCertificate as X509Certificate
  verifyEnvelopedSignature(xml, signature, indexDocument(root), {
    entityId: 'IdP metadata signer',
    signingCertificates: [cert],
    ...(options.allowSha1 === undefined ? {} : { allowSha1: options.allowSha1 }),
  })
}

/**
 * Loads IdP metadata from a file path or an https URL (http only for loopback hosts, for
 * tests and sidecars), with a timeout and a size cap, then parses it with `parseIdpMetadata`.
 */
export async function loadIdpMetadata(
  source: string,
  options: LoadMetadataOptions = {},
): Promise<IdpMetadata> {
  const maxBytes = options.maxBytes ?? defaultMaxMetadataBytes
  const text = /^https?:\/\//i.test(source)
    ? await fetchMetadata(source, options.timeoutMs ?? defaultTimeoutMs, maxBytes)
    : await readMetadataFile(source, maxBytes)
  return parseIdpMetadata(text, options)
}

function tooLarge(source: string, maxBytes: number): TesseraError {
  return new TesseraError({
    code: 'too_large',
    check: 'metadata',
    message: `the IdP metadata at ${quote(source)} is larger than ${maxBytes} bytes`,
    expected: `at most ${maxBytes} bytes`,
  })
}

// Bounded whatever the file is: a device or a file growing after the stat reports a size
// the read does not trust — at most maxBytes + 1 bytes are ever read.
async function readMetadataFile(path: string, maxBytes: number): Promise<string> {
  let handle: FileHandle | undefined
  try {
    handle = await open(path, 'r')
    const info = await handle.stat()
    if (!info.isFile()) {
      throw new TesseraError({
        code: 'upstream_unavailable',
        check: 'metadata',
        message: `IdP metadata ${quote(path)} is not a regular file`,
      })
    }
    if (info.size > maxBytes) throw tooLarge(path, maxBytes)
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null)
      if (bytesRead === 0) break
      length += bytesRead
      if (length > maxBytes) throw tooLarge(path, maxBytes)
    }
    return buffer.toString('utf8', 0, length)
  } catch (cause) {
    if (cause instanceof TesseraError) throw cause
    throw new TesseraError({
      code: 'upstream_unavailable',
      check: 'metadata',
      message: `cannot read IdP metadata file ${quote(path)}`,
      cause,
    })
  } finally {
    await handle?.close()
  }
}

async function fetchMetadata(url: string, timeoutMs: number, maxBytes: number): Promise<string> {
  const parsed = new URL(url)
  const loopback = ['127.0.0.1', '[::1]', 'localhost'].includes(parsed.hostname)
  if (parsed.protocol !== 'https:' && !loopback) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `IdP metadata URL ${quote(url)} must use https`,
    })
  }
  const signal = AbortSignal.timeout(timeoutMs)
  let body: string
  try {
    const res = await fetch(url, { signal, redirect: 'error' })
    if (!res.ok) throw new Error(`HTTP ${res.status}`)
    const declared = Number(res.headers.get('content-length') ?? '0')
    if (declared > maxBytes) {
      await res.body?.cancel()
      throw tooLarge(url, maxBytes)
    }
    body = await readCapped(res, maxBytes, url)
  } catch (cause) {
    if (cause instanceof TesseraError) throw cause
    throw new TesseraError({
      code: 'upstream_unavailable',
      check: 'metadata',
      message: `cannot fetch IdP metadata from ${quote(url)}: ${signal.aborted ? `no answer within ${timeoutMs} ms` : quote((cause as Error).message)}`,
      cause,
    })
  }
  return body
}

async function readCapped(res: Response, maxBytes: number, url: string): Promise<string> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of res.body ?? []) {
    total += chunk.byteLength
    if (total > maxBytes) throw tooLarge(url, maxBytes)
    chunks.push(chunk)
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
}
