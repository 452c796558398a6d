import { randomBytes } from 'node:crypto'
import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { encodeBase64url } from '../token/base64url.ts'
import { accessTokenHash } from './access-token-hash.ts'
import { signProofInput } from './proof-signature.ts'
import type { DpopKeyPair } from './types.ts'

/** What a DPoP proof is made for. */
export interface CreateDpopProofInput {
  readonly key: DpopKeyPair
  /** The HTTP method of the request (`htm`). */
  readonly method: string
  /** The request's URL; its query and fragment are left out of `htu` (RFC 9449 §4.2). */
  readonly url: string
  /** The access token sent with the request; its hash becomes `ath`. */
  readonly accessToken?: string
  /** The server's last `DPoP-Nonce`, when it requires one. */
  readonly nonce?: string
  /** iat in epoch seconds (default: the system clock). */
  readonly now?: number
  /** Proof identifier (default: 16 random bytes, base64url). */
  readonly jti?: string
}

/**
 * Creates a DPoP proof JWT (RFC 9449 §4.2) for one request: header `typ: dpop+jwt`, the key's
 * `alg` and public `jwk`; claims `jti`, `htm`, `htu` (without query and fragment), `iat`, and
 * `ath` / `nonce` when given. Make a new proof for every request.
 * @throws {TesseraError} `invalid_request` when the url is not an absolute http(s) URL
 * @example
 * const key = generateDpopKeyPair()
 * const proof = createDpopProof({ key, method: 'GET', url: 'https://api.example.com/x', accessToken })
 * fetch(url, { headers: { authorization: `DPoP ${accessToken}`, dpop: proof } })
 */
export function createDpopProof(input: CreateDpopProofInput): string {
  let url: URL
  try {
    url = new URL(input.url)
  } catch {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'url',
      message: `DPoP proof url ${quote(input.url)} is not an absolute URL`,
      expected: 'an absolute http(s) URL',
      actual: redact(input.url),
    })
  }
  url.search = ''
  url.hash = ''
  const header = { typ: 'dpop+jwt', alg: input.key.alg, jwk: input.key.publicJwk }
  const claims = {
    jti: input.jti ?? randomBytes(16).toString('base64url'),
    htm: input.method,
    htu: url.href,
    iat: input.now ?? Math.floor(Date.now() / 1000),
    ...(input.accessToken === undefined ? {} : { ath: accessTokenHash(input.accessToken) }),
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  }
  const signingInput = `${encodeBase64url(JSON.stringify(header))}.${encodeBase64url(JSON.stringify(claims))}`
  const signature = signProofInput(input.key.alg, input.key.privateKey, signingInput)
  return `${signingInput}.${encodeBase64url(signature)}`
}
