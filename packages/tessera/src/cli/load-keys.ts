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
 * Set, a single JWK, or a PEM public key (converted to a JWK once, here). A PEM carries no
 * kid; `pemKid` labels it, so that a caller who named the key explicitly is not stopped by
 * kid matching.
 */
export function loadKeySource(
  jwks: string | undefined,
  discovery: boolean,
  pemKid?: string,
): KeySourceFlags {
  if (jwks !== undefined && discovery)
    throw usageError('give either --jwks or --discovery, not both', 'jwks')
  if (jwks === undefined) return { discovery: true }
  if (/^https?:\/\//i.test(jwks)) return { jwksUri: jwks }
  const text = readTextFile(jwks, 'key set')
  if (text.includes('-----BEGIN')) {
    // createPublicKey would quietly derive the public half of a private key; a doctor that is
    // handed a private key should say so rather than use it.
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw usageError(
        `key file ${JSON.stringify(jwks)} holds a private key: pass the public key (or the JWKS)`,
        'jwks',
      )
    }
    try {
      const jwk = createPublicKey(text).export({ format: 'jwk' })
      return { jwks: { keys: [pemKid === undefined ? jwk : { ...jwk, kid: pemKid }] } }
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
