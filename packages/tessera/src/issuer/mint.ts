import { randomBytes, sign } from 'node:crypto'
import { type Clock, quote, TesseraError } from '@tessera/verify'
import { maxTokenTtlSeconds } from './schema.ts'
import type { SigningKey } from './types.ts'

/** What `mint` signs: the header `typ` and the claims (`sub`, `aud` and `exp` required). */
export interface MintRequest {
  /** `JWT` for identity tokens, `at+jwt` for RFC 9068 access tokens. */
  readonly typ: 'JWT' | 'at+jwt'
  /** `iss`, `iat` and `jti` are set by the minter and replace any value given here. */
  readonly claims: Readonly<Record<string, unknown>>
}

/** A minted token and the values a caller audits. */
export interface MintResult {
  /** The compact JWS. */
  readonly token: string
  readonly jti: string
  /** Epoch seconds. */
  readonly iat: number
  /** Epoch seconds. */
  readonly exp: number
}

/** Signs tokens with the key manager's active key. */
export interface Minter {
  /**
   * Signs the claims as a compact JWS with header `{ alg, kid, typ }`, adding `iss`, `iat`
   * (now) and `jti` (128 random bits, base64url).
   * @throws {TesseraError} `internal_error` for a missing or malformed `sub`, `aud` or `exp`,
   * an `exp` not after now or more than a day ahead, or no active key
   */
  mint(request: MintRequest): MintResult
}

/** What `createMinter` needs; `keys` is the key manager (only `signingKey` is used). */
export interface MinterOptions {
  readonly keys: { signingKey(): SigningKey }
  /** The exact `iss` of every token (the discovery document's `issuer`). */
  readonly issuerUrl: string
  /** Epoch seconds. */
  readonly clock: Clock
}

const json = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

function refuse(message: string): never {
  throw new TesseraError({ code: 'internal_error', message: `cannot mint: ${message}` })
}

const isNonEmptyString = (value: unknown): value is string =>
  typeof value === 'string' && value !== ''

/**
 * Creates a minter over the key manager's active key. Signatures go straight to node:crypto
 * with the key imported once (ES256 as JOSE's r ‖ s, RFC 7518 §3.4).
 * @throws {TesseraError} `invalid_config` when issuerUrl is empty
 * @example
 * const minter = createMinter({ keys, issuerUrl: 'https://tessera.example.org', clock: systemClock })
 * const { token } = minter.mint({ typ: 'JWT', claims: { sub, aud, exp: now + 300 } })
 */
export function createMinter(options: MinterOptions): Minter {
  const { keys, issuerUrl, clock } = options
  if (!isNonEmptyString(issuerUrl)) {
    throw new TesseraError({
      code: 'invalid_config',
      message: 'the minter needs the issuer URL',
      problems: [{ path: '/server/publicUrl', message: 'must be a non-empty URL' }],
    })
  }
  return Object.freeze({
    mint({ typ, claims }: MintRequest): MintResult {
      if (typ !== 'JWT' && typ !== 'at+jwt') refuse(`typ ${quote(typ)} is not JWT or at+jwt`)
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
        refuse('claims must be an object')
      }
      const iat = Math.floor(clock())
      const { sub, aud, exp } = claims
      if (!isNonEmptyString(sub)) refuse(`sub must be a non-empty string, got ${quote(sub)}`)
      const audOk = Array.isArray(aud)
        ? aud.length > 0 && aud.every(isNonEmptyString)
        : isNonEmptyString(aud)
      if (!audOk) refuse(`aud must be a non-empty string or list of them, got ${quote(aud)}`)
      if (typeof exp !== 'number' || !Number.isSafeInteger(exp) || exp <= iat) {
        refuse(`exp must be whole epoch seconds after iat ${iat}, got ${quote(exp)}`)
      }
      // No lifetime the config allows is longer; a longer one is a bug upstream, and such a
      // token would outlive the publication of its key.
      if (exp - iat > maxTokenTtlSeconds) {
        refuse(`exp is ${exp - iat} s after iat, more than ${maxTokenTtlSeconds}`)
      }
      const key = keys.signingKey()
      const jti = randomBytes(16).toString('base64url')
      const header = { alg: key.algorithm, kid: key.kid, typ }
      const payload = { ...claims, iss: issuerUrl, iat, jti }
      const input = `${json(header)}.${json(payload)}`
      const data = Buffer.from(input, 'ascii')
      const signature =
        key.algorithm === 'ES256'
          ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
          : sign(key.algorithm === 'EdDSA' ? null : 'sha256', data, key.privateKey)
      return Object.freeze({ token: `${input}.${signature.toString('base64url')}`, jti, iat, exp })
    },
  })
}
