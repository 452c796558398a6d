import type { Verifier } from '../verifier/types.ts'
import { usesDpopScheme } from './adapter-options.ts'
import type { ChallengeRenderer } from './challenge.ts'
import { rejectionBody, rejectionOf } from './rejection.ts'

/** A rejected HTTP request's answer, framework-neutral. */
export interface HttpRejection {
  readonly status: number
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body `{ error, error_description, code, hint? }`, serialised. */
  readonly body: string
}

/**
 * Turns what `verifyRequest` threw into status, headers and body: the status from the code
 * table, `WWW-Authenticate` challenges (RFC 6750 §3, RFC 9449 §7.1), `DPoP-Nonce` on
 * `use_dpop_nonce` (RFC 9449 §8), and `Cache-Control: no-store` so no cache keeps a rejection.
 */
export async function httpRejection(
  verifier: Verifier,
  challenges: ChallengeRenderer,
  error: unknown,
  authorization: string | undefined,
): Promise<HttpRejection> {
  const rejection = rejectionOf(error)
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  }
  const challenge = challenges.render(rejection, usesDpopScheme(authorization))
  if (challenge !== undefined) headers['www-authenticate'] = challenge
  if (rejection.code === 'use_dpop_nonce') {
    // A nonce source that fails still leaves a well-formed rejection (the client retries later).
    const nonce = await verifier.dpopNonce().catch(() => undefined)
    if (nonce !== undefined) headers['dpop-nonce'] = nonce
  }
  return { status: rejection.status, headers, body: JSON.stringify(rejectionBody(rejection)) }
}
