import { createPublicKey } from 'node:crypto'
import { readTextFile } from './read-input.ts'
import { usageError } from './usage-error.ts'

/** The key-source part of an issuer's options, as the command line gives it. */
export type KeySourceFlags =
  | { readonly jwks: { readonly keys: readonly unknown[] } }
  | { readonly jwksUri: string }
  | { readonly discovery: true }

/**
 * Turns `--jwks FILE|URL` / `--discovery` into an issuer's key source. A file may hold a JWK
 * Set, a single JWK, or a PEM public key (converted to a JWK once, here).
 */
export function loadKeySource(jwks: string | undefined, discovery: boolean): KeySourceFlags {
  if (jwks !== undefined && discovery)
    throw usageError('give either --jwks or --discovery, not both', 'jwks')
  if (jwks === undefined) return { discovery: true }
  if (/^https?:\/\//i.test(jwks)) return { jwksUri: jwks }
  const text = readTextFile(jwks, 'key set')
  if (text.includes('-----BEGIN')) {
    try {
      return { jwks: { keys: [createPublicKey(text).export({ format: 'jwk' })] } }
    } catch {
      throw usageError(
        `key file ${JSON.stringify(jwks)} holds PEM that is not a public key`,
        'jwks',
      )
    }
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw usageError(
      `key file ${JSON.stringify(jwks)} is neither JSON (JWKS or JWK) nor PEM`,
      'jwks',
    )
  }
  if (typeof parsed === 'object' && parsed !== null && 'kty' in parsed)
    return { jwks: { keys: [parsed] } }
  return { jwks: parsed as { keys: unknown[] } }
}
