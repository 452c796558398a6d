import type { Problem } from '../explain/tessera-error.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import { readTokenAnswer } from './token-answer.ts'
import { defaultMaxResponseBytes, defaultTimeoutMs, postToTokenEndpoint } from './token-endpoint.ts'
import type { FetchContext, FetchedToken, TokenFetcher } from './token-source.ts'
import {
  checkAbsoluteUrl,
  checkFunction,
  checkLimit,
  checkNonEmptyString,
  throwProblems,
} from './validate-options.ts'

/**
 * How a workload proves what it is: a one-time join token, or an upstream OIDC token
 * (a Kubernetes service-account token, a CI token) that a Tessera policy accepts.
 */
export type IdentityAttestation = { readonly joinToken: string } | { readonly token: string }

/** Options of `tesseraIdentityFetcher`. */
export interface IdentityFetcherOptions {
  /** The identity endpoint, e.g. `https://tessera.example.com/v1/identity/token`. */
  readonly url: string
  /**
   * Called for every attempt. A join token is single-use: a source that refreshes needs an
   * upstream token here (re-read each time), or a join token only for the first attempt.
   */
  readonly attestation: () => IdentityAttestation | Promise<IdentityAttestation>
  /** The one audience of the identity token. */
  readonly audience: string
  /** Requested lifetime in seconds; the server may cap it. */
  readonly ttlSeconds?: number
  readonly fetch?: typeof fetch
  /** Deadline of one request, in milliseconds (default 10 000). */
  readonly timeoutMs?: number
  /** Largest answer, in bytes (default 64 KiB). */
  readonly maxResponseBytes?: number
  /** Epoch seconds, to turn `expires_in` into `expiresAt` (default: the system clock). */
  readonly clock?: Clock
}

/**
 * A `fetchToken` for `createTokenSource` that asks Tessera's `POST /v1/identity/token` for a
 * workload identity token: JSON `{ joinToken | token, audience, ttlSeconds? }`, answered with
 * `{ token, expires_in, sub }`. An error answer becomes a `TesseraError` with the server's code.
 * @throws {TesseraError} `invalid_options` (at creation) listing every problem; per attempt,
 *   `invalid_request` when `attestation` returns neither a join token nor a token, and
 *   `upstream_unavailable` naming the URL's origin when the server cannot be reached, times
 *   out, or answers without a token response or one of Tessera's codes
 * @example
 * const source = createTokenSource({
 *   fetchToken: tesseraIdentityFetcher({
 *     url: 'https://tessera.example.com/v1/identity/token',
 *     attestation: async () => ({ token: await readFile(saTokenPath, 'utf8') }),
 *     audience: 'https://payments.example.org',
 *   }),
 * })
 */
export function tesseraIdentityFetcher(options: IdentityFetcherOptions): TokenFetcher {
  const settings = resolveOptions(options)
  return async (context?: FetchContext): Promise<FetchedToken> => {
    const attestation = checkAttestation(await settings.attestation())
    const answer = await postToTokenEndpoint({
      url: settings.url,
      what: 'identity token request',
      body: JSON.stringify({
        ...attestation,
        audience: settings.audience,
        ...(settings.ttlSeconds === undefined ? {} : { ttlSeconds: settings.ttlSeconds }),
      }),
      contentType: 'application/json',
      fetch: settings.fetch,
      timeoutMs: settings.timeoutMs,
      maxResponseBytes: settings.maxResponseBytes,
      ...(context?.signal === undefined ? {} : { signal: context.signal }),
    })
    if (!answer.ok) throw answer.error
    return readTokenAnswer(answer.body, {
      tokenField: 'token',
      url: settings.url,
      what: 'identity token request',
      now: settings.clock(),
    })
  }
}

function checkAttestation(value: unknown): IdentityAttestation {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >
  const joinToken = record.joinToken
  const token = record.token
  const isToken = (v: unknown): v is string => typeof v === 'string' && v !== ''
  if (isToken(joinToken) && token === undefined) return { joinToken }
  if (isToken(token) && joinToken === undefined) return { token }
  throw new TesseraError({
    code: 'invalid_request',
    check: 'attestation',
    message:
      'attestation() must return exactly one of { joinToken } or { token }, a non-empty string',
    expected: '{ joinToken: string } or { token: string }',
    actual: `fields ${JSON.stringify(Object.keys(record))}`,
  })
}

interface ResolvedIdentityOptions {
  readonly url: string
  readonly attestation: () => IdentityAttestation | Promise<IdentityAttestation>
  readonly audience: string
  readonly ttlSeconds: number | undefined
  readonly fetch: typeof fetch
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly clock: Clock
}

function resolveOptions(options: IdentityFetcherOptions): ResolvedIdentityOptions {
  const given = (options ?? {}) as Partial<IdentityFetcherOptions>
  const problems: Problem[] = []
  checkAbsoluteUrl(problems, 'url', given.url)
  checkFunction(problems, 'attestation', given.attestation, true)
  checkNonEmptyString(problems, 'audience', given.audience, true)
  checkLimit(problems, 'ttlSeconds', given.ttlSeconds)
  checkFunction(problems, 'fetch', given.fetch, false)
  checkFunction(problems, 'clock', given.clock, false)
  checkLimit(problems, 'timeoutMs', given.timeoutMs)
  checkLimit(problems, 'maxResponseBytes', given.maxResponseBytes)
  throwProblems('tesseraIdentityFetcher', problems)
  return {
    url: given.url as string,
    attestation: given.attestation as () => IdentityAttestation,
    audience: given.audience as string,
    ttlSeconds: given.ttlSeconds,
    fetch: given.fetch ?? globalThis.fetch,
    timeoutMs: given.timeoutMs ?? defaultTimeoutMs,
    maxResponseBytes: given.maxResponseBytes ?? defaultMaxResponseBytes,
    clock: given.clock ?? systemClock,
  }
}
