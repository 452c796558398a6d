import type { CloudToken } from '../verdict.ts'

/**
 * A token-shaped claims object for one subject, as Tessera would mint it now: what a live
 * cloud configuration is evaluated against (nothing is signed; the models read claims only).
 */
export function tokenShape(
  issuer: string,
  audience: string,
  subject: string,
  now: number,
  kid = 'current',
): CloudToken {
  return {
    header: { alg: 'RS256', typ: 'JWT', kid },
    claims: { iss: issuer, aud: audience, sub: subject, iat: now, nbf: now, exp: now + 300 },
    now,
  }
}
