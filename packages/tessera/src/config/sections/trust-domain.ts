import { Type } from 'typebox'

/** JSON Schema (TypeBox) of `trustDomain`; the SPIFFE rules are checked by `checkTrustDomain`. */
export const trustDomainSchema = Type.String({
  minLength: 1,
  maxLength: 255,
  description:
    'The SPIFFE trust domain of the workload identities Tessera issues (spiffe://<trustDomain>/...): lower-case letters, digits, ".", "-" and "_".',
})

// SPIFFE ID specification §2.1: the trust domain name.
const allowed = /^[a-z0-9._-]+$/

/**
 * Checks a SPIFFE trust domain name (SPIFFE ID §2.1: lower-case letters, digits, dots, dashes
 * and underscores, at most 255 characters). Returns a message, or undefined when it is valid.
 */
export function checkTrustDomain(value: string): string | undefined {
  if (value.startsWith('spiffe://')) {
    return `must be the trust domain name only: write ${JSON.stringify(value.slice('spiffe://'.length).replace(/\/.*$/, ''))}`
  }
  if (value.length > 255) return 'must be at most 255 characters (SPIFFE ID §2.1)'
  if (allowed.test(value)) return undefined
  const lower = value.toLowerCase()
  if (allowed.test(lower)) {
    return `must be lower-case (SPIFFE ID §2.1): write ${JSON.stringify(lower)}`
  }
  const bad = [...new Set([...lower].filter((c) => !/[a-z0-9._-]/.test(c)))]
  return `may contain only lower-case letters, digits, ".", "-" and "_" (SPIFFE ID §2.1), found ${bad.map((c) => JSON.stringify(c)).join(', ')}`
}
