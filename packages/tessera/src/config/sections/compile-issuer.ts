import type { Problem } from '@tessera/verify'
import {
  checkIssuerSettings,
  type IssuerSection,
  type IssuerSettings,
  issuerDefaults,
  resolveIssuerSettings,
  type SecretRef,
} from '../../issuer/index.ts'
import { compileSecretRef } from '../secrets.ts'

/** What compiling `issuer` needs besides the section. */
export interface IssuerContext {
  /** The data directory (absolute), which a relative `file:` key-encryption key lives in. */
  readonly dataDir?: string
  readonly env?: NodeJS.ProcessEnv
  /** False for a field with schema problems: the checks that need it are skipped. */
  readonly clean: (field: keyof IssuerSection) => boolean
}

/** The `issuer` section compiled, without what comes from other sections (URL, trust domain). */
export interface CompiledIssuerSection {
  readonly settings?: Omit<IssuerSettings, 'issuerUrl' | 'trustDomain'>
  readonly keyEncryptionKey?: SecretRef
}

const timingFields = [
  'identityTokenTtlSeconds',
  'accessTokenTtlSeconds',
  'rotateEverySeconds',
  'prePublishSeconds',
  'jwksMaxAgeSeconds',
] as const

/**
 * Compiles the `issuer` section (defaults applied): the timing relations `checkIssuerSettings`
 * owns, and the key-encryption key reference — resolved against the data directory, as the
 * contract and the issuer's schema say, so that the default `file:kek` sits beside the
 * database and never beside a `tessera.yaml` that may be committed. Appends problems.
 */
export function compileIssuer(
  section: IssuerSection,
  context: IssuerContext,
  problems: Problem[],
): CompiledIssuerSection {
  // The URL and trust domain come from other sections; only the defaulted timings matter here.
  const {
    issuerUrl: _url,
    trustDomain: _domain,
    ...settings
  } = resolveIssuerSettings(section, {
    issuerUrl: '',
    trustDomain: '',
  })
  const { clean } = context
  const timingsClean = timingFields.every(clean)
  if (timingsClean) problems.push(...checkIssuerSettings(settings))
  const compiled = timingsClean && clean('algorithm') ? { settings } : {}
  if (context.dataDir === undefined || !clean('keyEncryptionKey')) return compiled
  const keyEncryptionKey = compileSecretRef(
    section.keyEncryptionKey ?? issuerDefaults.keyEncryptionKey,
    {
      path: '/issuer/keyEncryptionKey',
      baseDir: context.dataDir,
      ...(context.env === undefined ? {} : { env: context.env }),
    },
    problems,
  )
  return keyEncryptionKey === undefined ? compiled : { ...compiled, keyEncryptionKey }
}
