import type { Problem } from '@tessera/verify'
import { type Static, Type } from 'typebox'
import type { IssuerSettings } from './types.ts'

/** Longest lifetime of any token Tessera mints, in seconds (one day). */
export const maxTokenTtlSeconds = 86_400

// A year: a longer rotation period would keep a leaked key signing for too long.
const maxRotateEverySeconds = 31_536_000

/** The defaults of the `issuer` section, as the schema declares them. */
export const issuerDefaults = Object.freeze({
  algorithm: 'ES256',
  identityTokenTtlSeconds: 300,
  accessTokenTtlSeconds: 900,
  rotateEverySeconds: 86_400,
  prePublishSeconds: 3_600,
  jwksMaxAgeSeconds: 600,
  keyEncryptionKey: 'file:kek',
} as const)

/**
 * JSON Schema (TypeBox) of the `issuer` section of `tessera.yaml`. Every field is optional
 * with a declared default; unknown keys are errors. Relations between fields are checked by
 * `checkIssuerSettings`, which the schema cannot express.
 */
export const issuerSectionSchema = Type.Object(
  {
    algorithm: Type.Optional(
      Type.Enum(['ES256', 'EdDSA', 'RS256'], {
        default: issuerDefaults.algorithm,
        description:
          'Algorithm of the keys Tessera signs with: ES256 (P-256), EdDSA (Ed25519) or RS256 (RSA 3072). A change applies from the next rotation.',
      }),
    ),
    identityTokenTtlSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: maxTokenTtlSeconds,
        default: issuerDefaults.identityTokenTtlSeconds,
        description: 'Lifetime of a workload identity token, in seconds.',
      }),
    ),
    accessTokenTtlSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: maxTokenTtlSeconds,
        default: issuerDefaults.accessTokenTtlSeconds,
        description:
          'Default and maximum lifetime of an exchanged access token when a policy sets no cap, in seconds.',
      }),
    ),
    rotateEverySeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: maxRotateEverySeconds,
        default: issuerDefaults.rotateEverySeconds,
        description:
          'How long each signing key signs before the next one takes over, in seconds. Must exceed prePublishSeconds.',
      }),
    ),
    prePublishSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: maxRotateEverySeconds,
        default: issuerDefaults.prePublishSeconds,
        description:
          'How long a new key is published in the JWKS before it signs, in seconds. Must be at least jwksMaxAgeSeconds so every cached key set knows a key before its first token.',
      }),
    ),
    jwksMaxAgeSeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: maxTokenTtlSeconds,
        default: issuerDefaults.jwksMaxAgeSeconds,
        description:
          'Cache-Control max-age of the JWKS and discovery responses, in seconds: the longest a verifier may keep a key set.',
      }),
    ),
    keyEncryptionKey: Type.Optional(
      Type.String({
        pattern: '^(env:[A-Za-z_][A-Za-z0-9_]*|file:.+)$',
        default: issuerDefaults.keyEncryptionKey,
        description:
          'Where the 32-byte key that encrypts the signing keys at rest is: env:NAME (base64url or hex in an environment variable) or file:PATH (relative to store.dataDir; created with mode 0600 when absent). Never the key itself.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "Tessera's own token issuer: signing algorithm, token lifetimes, key rotation.",
  },
)

/** The `issuer` section as written in `tessera.yaml` (every field optional). */
export type IssuerSection = Static<typeof issuerSectionSchema>

/**
 * Applies the declared defaults to a schema-valid `issuer` section and adds what other sections
 * decide: the issuer URL (`server.publicUrl`) and the trust domain. The key-encryption key is
 * not part of the result: it is a `SecretRef` (`parseSecretRef`), resolved against the data
 * directory.
 */
export function resolveIssuerSettings(
  section: IssuerSection,
  context: Pick<IssuerSettings, 'issuerUrl' | 'trustDomain'>,
): IssuerSettings {
  return Object.freeze({
    issuerUrl: context.issuerUrl,
    trustDomain: context.trustDomain,
    ...applyIssuerDefaults(section),
  })
}

// The section's settings with every default applied (everything but the URL and trust domain).
function applyIssuerDefaults(
  section: IssuerSection,
): Omit<IssuerSettings, 'issuerUrl' | 'trustDomain'> {
  return {
    algorithm: section.algorithm ?? issuerDefaults.algorithm,
    identityTokenTtlSeconds:
      section.identityTokenTtlSeconds ?? issuerDefaults.identityTokenTtlSeconds,
    accessTokenTtlSeconds: section.accessTokenTtlSeconds ?? issuerDefaults.accessTokenTtlSeconds,
    rotateEverySeconds: section.rotateEverySeconds ?? issuerDefaults.rotateEverySeconds,
    prePublishSeconds: section.prePublishSeconds ?? issuerDefaults.prePublishSeconds,
    jwksMaxAgeSeconds: section.jwksMaxAgeSeconds ?? issuerDefaults.jwksMaxAgeSeconds,
  }
}

/** The numeric settings whose relations `checkIssuerSettings` checks. */
export type IssuerTimings = Pick<
  IssuerSettings,
  | 'identityTokenTtlSeconds'
  | 'accessTokenTtlSeconds'
  | 'rotateEverySeconds'
  | 'prePublishSeconds'
  | 'jwksMaxAgeSeconds'
>

/**
 * Checks what the schema cannot: bounds again (for settings built in code) and the relations
 * that make rotation safe. Returns every problem, each with a JSON pointer under `/issuer`;
 * an empty list means the settings are sound.
 */
export function checkIssuerSettings(settings: IssuerTimings): Problem[] {
  const problems: Problem[] = []
  const add = (field: keyof IssuerTimings, message: string): void => {
    problems.push({ path: `/issuer/${field}`, message })
  }
  const isWhole = (value: number, min: number, max: number): boolean =>
    Number.isInteger(value) && value >= min && value <= max
  const {
    identityTokenTtlSeconds,
    accessTokenTtlSeconds,
    rotateEverySeconds,
    prePublishSeconds,
    jwksMaxAgeSeconds,
  } = settings

  let sound = true
  const bound = (field: keyof IssuerTimings, value: number, min: number, max: number): void => {
    if (isWhole(value, min, max)) return
    sound = false
    add(field, `must be a whole number of seconds from ${min} to ${max}, got ${String(value)}`)
  }
  bound('identityTokenTtlSeconds', identityTokenTtlSeconds, 1, maxTokenTtlSeconds)
  bound('accessTokenTtlSeconds', accessTokenTtlSeconds, 1, maxTokenTtlSeconds)
  bound('rotateEverySeconds', rotateEverySeconds, 1, maxRotateEverySeconds)
  bound('prePublishSeconds', prePublishSeconds, 0, maxRotateEverySeconds)
  bound('jwksMaxAgeSeconds', jwksMaxAgeSeconds, 0, maxTokenTtlSeconds)
  // Relations between out-of-range values would only repeat the problems above.
  if (!sound) return problems

  if (prePublishSeconds < jwksMaxAgeSeconds) {
    add(
      'prePublishSeconds',
      `must be at least jwksMaxAgeSeconds (${jwksMaxAgeSeconds}), got ${prePublishSeconds}: a verifier that cached the key set just before a new key was published would not know that key when it starts signing`,
    )
  }
  if (rotateEverySeconds <= prePublishSeconds) {
    add(
      'rotateEverySeconds',
      `must be greater than prePublishSeconds (${prePublishSeconds}), got ${rotateEverySeconds}: the next key is published prePublishSeconds before it signs, which must fall after the current key started signing`,
    )
  }
  return problems
}
