import type { JsonWebKey } from 'node:crypto'
import { findClosest } from '../explain/closest.ts'
import type { HintId } from '../explain/hint-id.ts'
import { detectClockSkew } from '../explain/hints/clock-skew.ts'
import { detectHint } from '../explain/hints/detect-hint.ts'
import { quote, quoteList, redact } from '../explain/redact.ts'
import { type ShownValue, TesseraError } from '../explain/tessera-error.ts'
import { importJwk, isVerificationKey } from '../keys/import-jwk.ts'
import { explainKeyMismatch } from '../keys/verification-key.ts'
import { isForbiddenAlgorithm, isJwsAlgorithm } from '../token/algorithms.ts'
import type { Clock } from '../token/clock.ts'
import { decodeJwt } from '../token/decode.ts'
import type { DecodedJwt } from '../token/types.ts'
import { accessTokenHash } from './access-token-hash.ts'
import { normaliseHtu } from './htu.ts'
import { verifyProofSignature } from './proof-signature.ts'
import type { DpopProof, ResolvedDpopOptions } from './types.ts'

/** What `validateDpopProof` checks a proof against. */
export interface ValidateDpopProofInput {
  /** The DPoP header value(s) as received; anything but exactly one proof is refused. */
  readonly proof: string | readonly string[] | undefined
  /** The request's HTTP method, compared with `htm` exactly. */
  readonly method: string
  /** The request's absolute URL as the client addressed it; query and fragment are ignored. */
  readonly url: string
  /** The access token sent with the proof; when given, `ath` must be its hash. */
  readonly accessToken?: string
  readonly options: ResolvedDpopOptions
  readonly clock: Clock
}

/** Longest proof jti accepted: it is stored in the replay store. */
export const maxProofJtiChars = 256

// Members that only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037 §2).
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
const publicMembers: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
}
const htuHints: readonly HintId[] = ['trailing_slash', 'scheme', 'case', 'path']

interface Details {
  readonly expected?: ShownValue
  readonly actual?: ShownValue
  readonly hint?: HintId | undefined
  readonly cause?: unknown
}

function invalid(check: string, message: string, details: Details = {}): TesseraError {
  const { hint, ...rest } = details
  return new TesseraError({
    code: 'invalid_dpop_proof',
    check,
    message,
    ...rest,
    ...(hint === undefined ? {} : { hint }),
  })
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const describe = (v: unknown): string =>
  v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : quote(v)

/**
 * Validates a DPoP proof as RFC 9449 §4.3 lists: exactly one proof, within the size limit, a
 * well-formed JWT with `typ: dpop+jwt`, an allowed asymmetric `alg` matching a public `jwk`
 * that verifies the signature, `htm` and `htu` of this request, `iat` within the window, a
 * `jti`, `ath` of the access token, and the server nonce when nonces are on. The `jti` is
 * recorded (key `dpop:<jkt>:<jti>` until iat + maxProofAge + leeway) only after all of these
 * passed, so a rejected proof never burns one.
 * @throws {TesseraError} `invalid_dpop_proof` (check names the rule), `use_dpop_nonce`,
 *   `dpop_replay`, `invalid_request` (the url passed is not absolute)
 */
export async function validateDpopProof(input: ValidateDpopProofInput): Promise<DpopProof> {
  const { options } = input
  const proof = singleProof(input.proof)
  if (proof.length > options.maxProofBytes) {
    throw invalid(
      'too_large',
      `DPoP proof is ${proof.length} bytes, more than the limit of ${options.maxProofBytes}`,
      { expected: `<= ${options.maxProofBytes} bytes`, actual: `${proof.length} bytes` },
    )
  }
  let jwt: DecodedJwt
  try {
    jwt = decodeJwt(proof, options.maxProofBytes)
  } catch (error) {
    if (!(error instanceof TesseraError)) throw error
    throw invalid(
      error.code === 'too_large' ? 'too_large' : 'malformed',
      `DPoP proof: ${error.message}`,
      {
        ...(error.expected === undefined ? {} : { expected: error.expected }),
        ...(error.actual === undefined ? {} : { actual: error.actual }),
        cause: error,
      },
    )
  }
  const { header, claims } = jwt
  if (header.crit !== undefined) {
    throw invalid('malformed', 'DPoP proof header has crit: no extension is understood in proofs', {
      expected: 'no crit',
      actual: 'crit',
    })
  }
  if (header.typ !== 'dpop+jwt') {
    const hint = header.typ === undefined ? undefined : detectHint('dpop+jwt', header.typ)
    throw invalid(
      'typ',
      `DPoP proof typ is ${describe(header.typ)}, expected "dpop+jwt"${hint?.id === 'case' ? `: ${hint.words}` : ''}`,
      {
        expected: 'dpop+jwt',
        actual: header.typ === undefined ? 'missing' : redact(header.typ),
        hint: hint?.id === 'case' ? 'case' : undefined,
      },
    )
  }
  const alg = header.alg
  if (!isJwsAlgorithm(alg) || !options.algorithms.includes(alg)) {
    const near = isForbiddenAlgorithm(alg) ? undefined : findClosest(options.algorithms, [alg])
    const why = isForbiddenAlgorithm(alg)
      ? 'a DPoP proof is signed with an asymmetric key (RFC 9449 §4.3), never none or HMAC'
      : near?.hint?.id === 'case'
        ? near.hint.words
        : `this receiver accepts ${quoteList(options.algorithms)}`
    throw invalid('alg', `DPoP proof alg ${quote(alg)} is not accepted: ${why}`, {
      expected: [...options.algorithms],
      actual: redact(alg),
      hint: near?.hint?.id === 'case' ? 'case' : undefined,
    })
  }
  const jwk = header.jwk
  if (!isRecord(jwk)) {
    throw invalid(
      'jwk',
      `DPoP proof header jwk is ${jwk === undefined ? 'missing' : 'not a JSON object'}, expected the public JWK of the signing key`,
      { expected: 'a public JWK', actual: jwk === undefined ? 'missing' : typeof jwk },
    )
  }
  if (jwk.kty === 'oct') {
    throw invalid('jwk', 'DPoP proof jwk is a symmetric (oct) key: proofs carry a public key', {
      expected: 'a public RSA, EC or OKP key',
      actual: 'oct',
    })
  }
  const secrets = privateMembers.filter((m) => jwk[m] !== undefined)
  if (secrets.length > 0) {
    throw invalid(
      'jwk',
      `DPoP proof jwk holds private key members (${secrets.join(', ')}): the key is exposed; a proof carries the public key only`,
      { expected: 'a public JWK', actual: `private members ${secrets.join(', ')}` },
    )
  }
  const key = importJwk(jwk)
  if (!isVerificationKey(key)) {
    throw invalid('jwk', `DPoP proof jwk cannot be used: ${key.reason}`, {
      expected: 'a public RSA, EC or OKP signature key',
      actual: redact(key.reason),
    })
  }
  const mismatch = explainKeyMismatch(key, alg)
  if (mismatch !== undefined) {
    throw invalid('alg', `DPoP proof alg ${quote(alg)} does not fit its jwk: ${mismatch}`, {
      expected: `an alg for a ${key.kty}${key.crv === undefined ? '' : ` ${key.crv}`} key`,
      actual: alg,
    })
  }
  if (!verifyProofSignature(alg, key.key, jwt.signingInput, jwt.signature)) {
    throw invalid(
      'signature',
      `DPoP proof ${alg} signature does not verify with its own jwk (thumbprint ${quote(key.thumbprint)}): the proof was altered`,
      { expected: `a valid ${alg} signature`, actual: 'a signature that does not verify' },
    )
  }
  checkHtm(claims.htm, input.method)
  checkHtu(claims.htu, input.url)
  const iat = claims.iat
  const now = input.clock()
  checkIat(iat, now, options)
  const jti = claims.jti
  if (jti === undefined || jti === '') {
    throw invalid('jti', 'DPoP proof jti is missing: every proof needs a unique jti', {
      expected: 'a unique jti',
      actual: 'missing',
    })
  }
  if (jti.length > maxProofJtiChars) {
    throw invalid(
      'jti',
      `DPoP proof jti is ${jti.length} characters, more than ${maxProofJtiChars}`,
      { expected: `<= ${maxProofJtiChars} characters`, actual: `${jti.length} characters` },
    )
  }
  if (input.accessToken !== undefined) checkAth(claims.ath, input.accessToken)
  if (options.nonce !== undefined) {
    const nonce = claims.nonce
    if (typeof nonce !== 'string' || nonce === '') {
      throw new TesseraError({
        code: 'use_dpop_nonce',
        check: 'nonce',
        message:
          'DPoP proof has no nonce, and this server requires one: retry with the DPoP-Nonce response header value',
        expected: 'the current server nonce',
        actual: nonce === undefined ? 'missing' : 'not a non-empty string',
      })
    }
    if (!(await options.nonce.isValid(nonce))) {
      throw new TesseraError({
        code: 'use_dpop_nonce',
        check: 'nonce',
        message: 'DPoP proof nonce is not current: retry with the DPoP-Nonce response header value',
        expected: 'the current server nonce',
        actual: 'a stale or unknown nonce',
      })
    }
  }
  // Last: a proof refused for any other reason must not burn its jti.
  const jkt = key.thumbprint
  const fresh = await options.replay.use(
    `dpop:${jkt}:${jti}`,
    (iat as number) + options.maxProofAge + options.leeway,
  )
  if (!fresh) {
    throw new TesseraError({
      code: 'dpop_replay',
      check: 'jti',
      message: `DPoP proof jti ${quote(jti)} was already used with this key: make a new proof for every request`,
      expected: 'a jti not seen before',
      actual: redact(jti),
    })
  }
  const publicJwk: Record<string, unknown> = {}
  for (const m of publicMembers[key.kty] as readonly string[]) publicJwk[m] = jwk[m]
  return { jkt, jwk: publicJwk as JsonWebKey, jti, iat: iat as number }
}

function singleProof(value: string | readonly string[] | undefined): string {
  const proofs = value === undefined ? [] : typeof value === 'string' ? [value] : [...value]
  if (proofs.length !== 1 || proofs[0] === '') {
    const n = proofs.length === 1 ? 0 : proofs.length
    throw invalid(
      'count',
      n === 0
        ? 'the request has no DPoP proof: the DPoP scheme needs exactly one DPoP header'
        : `the request has ${n} DPoP headers, expected exactly one`,
      { expected: '1 DPoP proof', actual: `${n} DPoP proofs` },
    )
  }
  const proof = proofs[0]
  if (typeof proof !== 'string') {
    throw invalid('malformed', `DPoP proof is ${typeof proof}, expected a string`)
  }
  // A compact JWS has no comma: one means the client sent the header twice and it was joined.
  if (proof.includes(',')) {
    const n = proof.split(',').length
    throw invalid(
      'count',
      `the DPoP header holds ${n} comma-separated values, expected one proof`,
      {
        expected: '1 DPoP proof',
        actual: `${n} DPoP proofs`,
      },
    )
  }
  return proof
}

function checkHtm(htm: unknown, method: string): void {
  if (htm === method) return
  const sameIgnoringCase = typeof htm === 'string' && htm.toUpperCase() === method.toUpperCase()
  throw invalid(
    'htm',
    `DPoP proof htm is ${describe(htm)}, expected the request method ${quote(method)}${sameIgnoringCase ? ': the values differ only in letter case (htm is case-sensitive)' : ''}`,
    {
      expected: redact(method),
      actual: typeof htm === 'string' ? redact(htm) : htm === undefined ? 'missing' : typeof htm,
      hint: sameIgnoringCase ? 'case' : undefined,
    },
  )
}

function checkHtu(htu: unknown, url: string): void {
  const expected = typeof url === 'string' ? normaliseHtu(url) : undefined
  if (expected === undefined) {
    throw new TesseraError({
      code: 'invalid_request',
      check: 'url',
      message: `the request URL ${quote(url)} is not an absolute http(s) URL: pass the URL as the client addressed it`,
      expected: 'an absolute http(s) URL',
      actual: redact(url),
    })
  }
  const actual = typeof htu === 'string' ? normaliseHtu(htu) : undefined
  if (actual === undefined) {
    throw invalid(
      'htu',
      `DPoP proof htu is ${describe(htu)}, expected an absolute http(s) URL: ${quote(expected)}`,
      {
        expected: redact(expected),
        actual: typeof htu === 'string' ? redact(htu) : htu === undefined ? 'missing' : typeof htu,
      },
    )
  }
  if (actual === expected) return
  const found = detectHint(expected, actual)
  const hint = found !== undefined && htuHints.includes(found.id) ? found : undefined
  throw invalid(
    'htu',
    `DPoP proof htu ${quote(actual)} is not this request's URL ${quote(expected)} (query and fragment ignored)${hint ? `: ${hint.words}` : ''}`,
    { expected: redact(expected), actual: redact(actual), hint: hint?.id },
  )
}

function checkIat(iat: number | undefined, now: number, options: ResolvedDpopOptions): void {
  if (iat === undefined) {
    throw invalid('iat', 'DPoP proof iat is missing: a proof says when it was made', {
      expected: 'iat (a NumericDate)',
      actual: 'missing',
    })
  }
  const { leeway, maxProofAge } = options
  if (iat > now + leeway) {
    const skew = detectClockSkew(iat - now - leeway)
    throw invalid(
      'iat',
      `DPoP proof iat is ${iat - now} s in the future, more than the leeway of ${leeway} s${skew ? `: ${skew.words}` : ''}`,
      { expected: `iat <= ${now + leeway}`, actual: String(iat), hint: skew?.id },
    )
  }
  const oldest = now - maxProofAge - leeway
  if (iat < oldest) {
    const skew = detectClockSkew(oldest - iat)
    throw invalid(
      'iat',
      `DPoP proof was made ${now - iat} s ago, more than the maximum proof age of ${maxProofAge} s (leeway ${leeway} s): make a fresh proof for each request${skew ? `; ${skew.words}` : ''}`,
      { expected: `iat >= ${oldest}`, actual: String(iat), hint: skew?.id },
    )
  }
}

function checkAth(ath: unknown, accessToken: string): void {
  if (ath === undefined) {
    throw invalid(
      'ath',
      'DPoP proof has no ath, but an access token was presented: ath must be the hash of that token',
      { expected: 'base64url(SHA-256(access token))', actual: 'missing' },
    )
  }
  if (ath !== accessTokenHash(accessToken)) {
    throw invalid(
      'ath',
      'DPoP proof ath is not the hash of the presented access token: the proof was made for another token',
      { expected: 'base64url(SHA-256(access token))', actual: 'the hash of another value' },
    )
  }
}
