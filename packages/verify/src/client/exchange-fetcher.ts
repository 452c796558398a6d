import { createDpopProof } from '../dpop/create-proof.ts'
import type { DpopKeyPair } from '../dpop/types.ts'
import type { Problem } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import { readTokenAnswer } from './token-answer.ts'
import {
  defaultMaxResponseBytes,
  defaultTimeoutMs,
  postToTokenEndpoint,
  type TokenEndpointAnswer,
} from './token-endpoint.ts'
import type { FetchContext, FetchedToken, TokenFetcher } from './token-source.ts'
import {
  checkAbsoluteUrl,
  checkFunction,
  checkLimit,
  checkNonEmptyString,
  throwProblems,
} from './validate-options.ts'

/** RFC 8693 §2.1 grant type. */
const grantType = 'urn:ietf:params:oauth:grant-type:token-exchange'
/** RFC 8693 §3: the token type of a JWT. */
const jwtTokenType = 'urn:ietf:params:oauth:token-type:jwt'

/** Options of `tesseraExchangeFetcher`. */
export interface ExchangeFetcherOptions {
  /** The token endpoint, e.g. `https://tessera.example.com/oauth2/token`. */
  readonly tokenUrl: string
  /** The token to exchange; called for every attempt, so it may re-read a rotated file. */
  readonly subjectToken: () => string | Promise<string>
  /** Default `urn:ietf:params:oauth:token-type:jwt`. */
  readonly subjectTokenType?: string
  /** The service the new token is for. */
  readonly audience: string
  readonly scope?: readonly string[]
  /** The caller's own token when it acts for the subject (delegation, `act`). */
  readonly actorToken?: () => string | Promise<string>
  /** Default `urn:ietf:params:oauth:token-type:jwt`. */
  readonly actorTokenType?: string
  /** Binds the issued token to this key (RFC 9449): every request carries a DPoP proof. */
  readonly dpopKey?: DpopKeyPair
  readonly fetch?: typeof fetch
  /** Deadline of one request, in milliseconds (default 10 000). */
  readonly timeoutMs?: number
  /** Largest answer, in bytes (default 64 KiB). */
  readonly maxResponseBytes?: number
  /** Epoch seconds, to turn `expires_in` into `expiresAt` (default: the system clock). */
  readonly clock?: Clock
}

/**
 * A `fetchToken` for `createTokenSource` that exchanges a subject token at Tessera's (or any
 * RFC 8693) token endpoint: a form POST with `grant_type` token-exchange, `subject_token` and
 * its type, `audience`, `scope` and an optional `actor_token`; with `dpopKey`, a DPoP proof for
 * the token URL, retried once with the server's nonce when it asks for one (RFC 9449 §8).
 * An error answer becomes a `TesseraError` with the server's `code`.
 * @throws {TesseraError} `invalid_options` (at creation) listing every problem; per attempt,
 *   `upstream_unavailable` naming the token URL's origin when the server cannot be reached,
 *   times out, or answers without a token response or one of Tessera's codes
 * @example
 * const source = createTokenSource({
 *   fetchToken: tesseraExchangeFetcher({
 *     tokenUrl: 'https://tessera.example.com/oauth2/token',
 *     subjectToken: () => readFile('/var/run/secrets/token', 'utf8'),
 *     audience: 'https://payments.example.org',
 *   }),
 * })
 */
export function tesseraExchangeFetcher(options: ExchangeFetcherOptions): TokenFetcher {
  const settings = resolveOptions(options)
  let nonce: string | undefined

  const post = async (form: URLSearchParams, signal: AbortSignal | undefined) => {
    const headers: Record<string, string> = {}
    if (settings.dpopKey !== undefined) {
      headers.dpop = createDpopProof({
        key: settings.dpopKey,
        method: 'POST',
        url: settings.tokenUrl,
        now: Math.floor(settings.clock()),
        ...(nonce === undefined ? {} : { nonce }),
      })
    }
    const answer = await postToTokenEndpoint({
      url: settings.tokenUrl,
      what: 'token exchange',
      body: form.toString(),
      contentType: 'application/x-www-form-urlencoded',
      headers,
      fetch: settings.fetch,
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      ...(signal === undefined ? {} : { signal }),
    })
    // RFC 9449 §8: a server hands out nonces on any answer; the next proof carries the latest.
    nonce = answer.headers.get('dpop-nonce') ?? nonce
    return answer
  }

  return async (context?: FetchContext): Promise<FetchedToken> => {
    const form = new URLSearchParams({
      grant_type: grantType,
      subject_token: await settings.subjectToken(),
      subject_token_type: settings.subjectTokenType,
      audience: settings.audience,
    })
    if (settings.scope.length > 0) form.set('scope', settings.scope.join(' '))
    if (settings.actorToken !== undefined) {
      form.set('actor_token', await settings.actorToken())
      form.set('actor_token_type', settings.actorTokenType)
    }
    let answer: TokenEndpointAnswer = await post(form, context?.signal)
    if (!answer.ok && settings.dpopKey !== undefined && needsNonce(answer)) {
      answer = await post(form, context?.signal)
    }
    if (!answer.ok) throw answer.error
    return readTokenAnswer(answer.body, {
      tokenField: 'access_token',
      url: settings.tokenUrl,
      what: 'token exchange',
      now: settings.clock(),
    })
  }
}

function needsNonce(answer: Extract<TokenEndpointAnswer, { ok: false }>): boolean {
  return (
    (answer.oauthError === 'use_dpop_nonce' || answer.error.code === 'use_dpop_nonce') &&
    answer.headers.get('dpop-nonce') !== null
  )
}

interface ResolvedExchangeOptions {
  readonly tokenUrl: string
  readonly subjectToken: () => string | Promise<string>
  readonly subjectTokenType: string
  readonly audience: string
  readonly scope: readonly string[]
  readonly actorToken: (() => string | Promise<string>) | undefined
  readonly actorTokenType: string
  readonly dpopKey: DpopKeyPair | undefined
  readonly fetch: typeof fetch
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly clock: Clock
}

function resolveOptions(options: ExchangeFetcherOptions): ResolvedExchangeOptions {
  const given = (options ?? {}) as Partial<ExchangeFetcherOptions>
  const problems: Problem[] = []
  checkAbsoluteUrl(problems, 'tokenUrl', given.tokenUrl)
  checkFunction(problems, 'subjectToken', given.subjectToken, true)
  checkNonEmptyString(problems, 'subjectTokenType', given.subjectTokenType, false)
  checkNonEmptyString(problems, 'audience', given.audience, true)
  checkFunction(problems, 'actorToken', given.actorToken, false)
  checkNonEmptyString(problems, 'actorTokenType', given.actorTokenType, false)
  checkFunction(problems, 'fetch', given.fetch, false)
  checkFunction(problems, 'clock', given.clock, false)
  checkLimit(problems, 'timeoutMs', given.timeoutMs)
  checkLimit(problems, 'maxResponseBytes', given.maxResponseBytes)
  if (given.scope !== undefined) {
    if (!Array.isArray(given.scope)) problems.push({ path: 'scope', message: 'must be an array' })
    else {
      given.scope.forEach((scope: unknown, i: number) => {
        // RFC 6749 §3.3: a scope token is printable ASCII without space, `"` or `\`.
        if (typeof scope !== 'string' || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))
          problems.push({ path: `scope[${i}]`, message: 'must be a scope token (RFC 6749 §3.3)' })
      })
    }
  }
  if (
    given.dpopKey !== undefined &&
    (typeof given.dpopKey !== 'object' ||
      given.dpopKey === null ||
      !('privateKey' in given.dpopKey))
  ) {
    problems.push({ path: 'dpopKey', message: 'must be a key pair from generateDpopKeyPair()' })
  }
  throwProblems('tesseraExchangeFetcher', problems)
  return {
    tokenUrl: given.tokenUrl as string,
    subjectToken: given.subjectToken as () => string | Promise<string>,
    subjectTokenType: given.subjectTokenType ?? jwtTokenType,
    audience: given.audience as string,
    scope: Object.freeze([...(given.scope ?? [])]),
    actorToken: given.actorToken,
    actorTokenType: given.actorTokenType ?? jwtTokenType,
    dpopKey: given.dpopKey,
    fetch: given.fetch ?? globalThis.fetch,
    timeoutMs: given.timeoutMs ?? defaultTimeoutMs,
    maxResponseBytes: given.maxResponseBytes ?? defaultMaxResponseBytes,
    clock: given.clock ?? systemClock,
  }
}
