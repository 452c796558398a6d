import { X509Certificate } from 'node:crypto'
import { resolve } from 'node:path'
import { type Clock, isTesseraError, type Problem } from '@tessera/verify'
import type { SecretRef } from '../../issuer/index.ts'
import { type IdpMetadata, parseIdpMetadata } from '../../saml/index.ts'
import { pointer } from '../json-pointer.ts'
import { readBoundedFileSync } from '../read-bounded-file.ts'
import { compileSecretRef } from '../secrets.ts'
import {
  defaultSamlClockSkewSeconds,
  type SamlIdpEntry,
  type SamlSectionEntry,
} from './saml-idps.ts'

/** One `samlIdps` entry, compiled: a file's metadata is read and parsed, a URL waits for start. */
export interface SamlIdpSettings {
  /** The AWS SAML provider name, when given. */
  readonly name?: string
  /** The entity ID: as configured, else the metadata file's. */
  readonly entityId: string
  /** An absolute file path, or a URL fetched when the server starts. */
  readonly source: { readonly file: string } | { readonly url: string }
  /** The certificate the metadata must be signed with, when configured. */
  readonly metadataSigningCertificate?: X509Certificate
  readonly allowSha1: boolean
  readonly allowCbc: boolean
  /** The metadata of a `file` source, parsed at load; absent for a `url` source. */
  readonly metadata?: IdpMetadata
}

/** The `saml` section, compiled. */
export interface SamlSettings {
  readonly spEntityId: string
  readonly acsUrl: string
  /** Where the SP's decryption key is (an absolute `file:` path); read when the server starts. */
  readonly decryptionKey?: SecretRef
  readonly clockSkewSeconds: number
}

/** What compiling `samlIdps` and `saml` needs besides the sections. */
export interface SamlContext {
  /** Directory metadata, certificate and `file:` key paths are relative to. */
  readonly baseDir: string
  /** For the metadata's validUntil and its signature check. */
  readonly clock: Clock
  /** When given, an `env:` decryption key must name a set variable. */
  readonly env?: NodeJS.ProcessEnv
  /** False for a samlIdps entry with schema problems: it is skipped. */
  readonly cleanIdp?: (index: number) => boolean
  /** False when the saml section has schema problems: it is not compiled. */
  readonly cleanSection?: boolean
}

/** Loopback hosts a metadata URL may reach over plain http (tests, a local IdP). */
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]'])

function metadataUrlProblem(value: string): string | undefined {
  const url = URL.parse(value)
  if (url === null) return 'must be an absolute https URL'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && loopbackHosts.has(url.hostname)) return undefined
  return 'must be an https URL (http only on loopback): metadata carries the keys Tessera trusts'
}

/**
 * Compiles `samlIdps` (one metadata source each, no duplicate entity ID or name, a file's
 * metadata parsed now so a bad file is a load error) and `saml` (absolute acsUrl, the
 * decryption key reference). Every problem is appended to `problems`.
 */
export function compileSaml(
  entries: readonly SamlIdpEntry[],
  section: SamlSectionEntry | undefined,
  context: SamlContext,
  problems: Problem[],
): { idps: SamlIdpSettings[]; saml?: SamlSettings } {
  const add = (path: string, message: string): void => {
    problems.push({ path, message })
  }
  const idps: SamlIdpSettings[] = []
  const entityIds = new Map<string, number>()
  const names = new Map<string, number>()
  entries.forEach((entry, i) => {
    if (context.cleanIdp?.(i) === false) return
    const at = (...tokens: (string | number)[]): string => pointer('samlIdps', i, ...tokens)
    const before = problems.length
    const { file, url } = entry.metadata
    if ((file === undefined) === (url === undefined)) {
      add(
        at('metadata'),
        file === undefined ? 'needs file or url' : 'has file and url: give exactly one',
      )
      return
    }
    if (url !== undefined) {
      const problem = metadataUrlProblem(url)
      if (problem !== undefined) add(at('metadata', 'url'), problem)
      if (entry.entityId === undefined) {
        add(
          at(),
          'needs entityId with metadata.url: policies are checked against it before the metadata is fetched',
        )
      }
    }
    if (entry.entityId !== undefined && entry.entityId.trim() !== entry.entityId) {
      add(at('entityId'), 'has leading or trailing whitespace')
    }
    let signingCertificate: X509Certificate | undefined
    if (entry.metadataSigningCertificateFile !== undefined) {
      signingCertificate = readCertificate(
        entry.metadataSigningCertificateFile,
        context.baseDir,
        at('metadataSigningCertificateFile'),
        add,
      )
    }
    const options = {
      allowSha1: entry.allowSha1 ?? false,
      ...(signingCertificate === undefined ? {} : { signingCertificate }),
    }
    let metadata: IdpMetadata | undefined
    if (file !== undefined && problems.length === before) {
      metadata = readMetadata(file, context, options, at('metadata', 'file'), add)
      if (
        metadata !== undefined &&
        entry.entityId !== undefined &&
        metadata.entityId !== entry.entityId
      ) {
        add(
          at('entityId'),
          `${JSON.stringify(entry.entityId)} is not the metadata's entityID ${JSON.stringify(metadata.entityId)}`,
        )
      }
    }
    if (problems.length > before) return
    const entityId = (entry.entityId ?? metadata?.entityId) as string
    const first = entityIds.get(entityId)
    if (first !== undefined) {
      add(
        at('entityId'),
        `duplicates the entity ID of ${pointer('samlIdps', first)} (${JSON.stringify(entityId)}): list each IdP once`,
      )
      return
    }
    entityIds.set(entityId, i)
    if (entry.name !== undefined) {
      const named = names.get(entry.name)
      if (named !== undefined) {
        add(
          at('name'),
          `duplicates ${pointer('samlIdps', named, 'name')} (${JSON.stringify(entry.name)})`,
        )
        return
      }
      names.set(entry.name, i)
    }
    idps.push({
      ...(entry.name === undefined ? {} : { name: entry.name }),
      entityId,
      source:
        file === undefined ? { url: url as string } : { file: resolve(context.baseDir, file) },
      ...(signingCertificate === undefined
        ? {}
        : { metadataSigningCertificate: signingCertificate }),
      allowSha1: options.allowSha1,
      allowCbc: entry.allowCbc ?? false,
      ...(metadata === undefined ? {} : { metadata }),
    })
  })
  if (section === undefined || context.cleanSection === false) {
    if (section === undefined && entries.length > 0) {
      add(
        '/saml',
        'is required with samlIdps: spEntityId and acsUrl are what assertions are checked against',
      )
    }
    return { idps }
  }
  const before = problems.length
  const acs = URL.parse(section.acsUrl)
  if (acs === null || !/^https?:$/.test(acs.protocol)) {
    add('/saml/acsUrl', 'must be an absolute http(s) URL')
  }
  if (section.spEntityId.trim() !== section.spEntityId) {
    add('/saml/spEntityId', 'has leading or trailing whitespace')
  }
  const decryptionKey =
    section.decryptionKey === undefined
      ? undefined
      : compileSecretRef(
          section.decryptionKey,
          {
            path: '/saml/decryptionKey',
            baseDir: context.baseDir,
            ...(context.env === undefined ? {} : { env: context.env }),
          },
          problems,
        )
  if (problems.length > before) return { idps }
  return {
    idps,
    saml: {
      spEntityId: section.spEntityId,
      acsUrl: section.acsUrl,
      ...(decryptionKey === undefined ? {} : { decryptionKey }),
      clockSkewSeconds: section.clockSkewSeconds ?? defaultSamlClockSkewSeconds,
    },
  }
}

function readCertificate(
  file: string,
  baseDir: string,
  path: string,
  add: (path: string, message: string) => void,
): X509Certificate | undefined {
  const shown = JSON.stringify(file)
  const read = readBoundedFileSync(resolve(baseDir, file))
  if ('problem' in read) {
    add(path, `cannot read ${shown}: ${read.problem}`)
    return undefined
  }
  try {
    return new X509Certificate(read.bytes)
  } catch {
    add(path, `${shown} is not a PEM or DER X.509 certificate`)
    return undefined
  }
}

function readMetadata(
  file: string,
  context: SamlContext,
  options: { allowSha1: boolean; signingCertificate?: X509Certificate },
  path: string,
  add: (path: string, message: string) => void,
): IdpMetadata | undefined {
  const shown = JSON.stringify(file)
  const read = readBoundedFileSync(resolve(context.baseDir, file))
  if ('problem' in read) {
    add(path, `cannot read ${shown}: ${read.problem}`)
    return undefined
  }
  try {
    return parseIdpMetadata(read.bytes.toString('utf8'), { ...options, clock: context.clock })
  } catch (error) {
    if (!isTesseraError(error)) throw error
    add(path, `${shown}: ${error.message}`)
    return undefined
  }
}
