import { createDpopProof } from '../dpop/create-proof.ts'
import type { DpopKeyPair } from '../dpop/types.ts'
import type { Problem } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import type { TokenSource } from './token-source.ts'
import { checkFunction, throwProblems } from './validate-options.ts'

/** Options of `withTokens`. */
export interface WithTokensOptions {
  /** The fetch to wrap (default: the global `fetch`). */
  readonly fetch?: typeof fetch
  /**
   * The key the source's tokens are bound to (the `dpopKey` given to `tesseraExchangeFetcher`):
   * requests then carry `Authorization: DPoP <token>` and a fresh DPoP proof (RFC 9449 §7.1).
   */
  readonly dpopKey?: DpopKeyPair
  /** Epoch seconds for the proofs' `iat` (default: the system clock). */
  readonly clock?: Clock
}

// fetch() upper-cases these methods itself (Fetch standard, "normalize a method"); `htm` must
// name the method as sent.
const normalized = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'])

function methodOf(input: string | URL | Request, init: RequestInit | undefined): string {
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET')
  const upper = method.toUpperCase()
  return normalized.has(upper) ? upper : method
}

function urlOf(input: string | URL | Request): string {
  return input instanceof Request ? input.url : String(input)
}

/** True when the request can be sent twice: its body is not a one-shot stream. */
function replayable(input: string | URL | Request, init: RequestInit | undefined): boolean {
  if (init?.body !== undefined && init.body !== null) return !(init.body instanceof ReadableStream)
  return !(input instanceof Request && input.body !== null)
}

/** RFC 9449 §9: a resource server that wants a nonce answers 401 `use_dpop_nonce` with one. */
function asksForNonce(response: Response): boolean {
  return (
    response.status === 401 &&
    response.headers.get('dpop-nonce') !== null &&
    /\buse_dpop_nonce\b/.test(response.headers.get('www-authenticate') ?? '')
  )
}

function resolveOptions(
  second: typeof fetch | WithTokensOptions | undefined,
): Required<Pick<WithTokensOptions, 'fetch' | 'clock'>> & Pick<WithTokensOptions, 'dpopKey'> {
  if (second === undefined || typeof second === 'function')
    return { fetch: second ?? globalThis.fetch, clock: systemClock }
  const given = (second ?? {}) as Partial<WithTokensOptions>
  const problems: Problem[] = []
  checkFunction(problems, 'fetch', given.fetch, false)
  checkFunction(problems, 'clock', given.clock, false)
  if (
    given.dpopKey !== undefined &&
    (typeof given.dpopKey !== 'object' ||
      given.dpopKey === null ||
      !('privateKey' in given.dpopKey))
  ) {
    problems.push({ path: 'dpopKey', message: 'must be a key pair from generateDpopKeyPair()' })
  }
  throwProblems('withTokens', problems)
  return {
    fetch: given.fetch ?? globalThis.fetch,
    clock: given.clock ?? systemClock,
    ...(given.dpopKey === undefined ? {} : { dpopKey: given.dpopKey }),
  }
}

/**
 * Wraps `fetch` so that every request carries a token from `source` (replacing any
 * Authorization the caller set): `Authorization: Bearer <token>`, or, with `dpopKey`,
 * `Authorization: DPoP <token>` and a `DPoP` header holding a fresh proof for that request
 * (`htm`/`htu` of the request, `ath` of the token). With `dpopKey`, the server's latest
 * `DPoP-Nonce` (per origin) goes into later proofs, and a `401 use_dpop_nonce` answer is
 * retried once with the new nonce unless the body is a one-shot stream (RFC 9449 §9). A
 * failure to get a token rejects the call with the source's `TesseraError` and sends nothing.
 * The second argument may also be the fetch to wrap, as before.
 * @throws {TesseraError} `invalid_options` listing every problem
 * @example
 * const dpopKey = generateDpopKeyPair()
 * const source = createTokenSource({ fetchToken: tesseraExchangeFetcher({ ..., dpopKey }) })
 * const call = withTokens(source, { dpopKey })
 * const res = await call('https://payments.example.org/v1/charges', { method: 'POST', body })
 */
export function withTokens(
  source: TokenSource,
  options?: typeof fetch | WithTokensOptions,
): typeof fetch {
  const { fetch: fetchImpl, clock, dpopKey } = resolveOptions(options)
  if (dpopKey === undefined) {
    return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const token = await source.token()
      const headers = headersOf(input, init)
      headers.set('authorization', `Bearer ${token}`)
      return fetchImpl(input, { ...init, headers })
    }
  }
  const key = dpopKey
  // Nonces are per server (RFC 9449 §9): remembered by origin, the latest one wins.
  const nonces = new Map<string, string>()
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const token = await source.token()
    const method = methodOf(input, init)
    const url = urlOf(input)
    const origin = URL.canParse(url) ? new URL(url).origin : url
    const send = async (): Promise<Response> => {
      const nonce = nonces.get(origin)
      const headers = headersOf(input, init)
      headers.set('authorization', `DPoP ${token}`)
      headers.set(
        'dpop',
        createDpopProof({
          key,
          method,
          url,
          accessToken: token,
          now: Math.floor(clock()),
          ...(nonce === undefined ? {} : { nonce }),
        }),
      )
      const response = await fetchImpl(input, { ...init, headers })
      const next = response.headers.get('dpop-nonce')
      if (next !== null) nonces.set(origin, next)
      return response
    }
    const response = await send()
    if (!asksForNonce(response) || !replayable(input, init)) return response
    // The first answer is dropped unread; release its body so the connection can be reused.
    await response.body?.cancel()
    return send()
  }
}

// Headers from init win over the Request's own, as fetch() itself does.
function headersOf(input: string | URL | Request, init: RequestInit | undefined): Headers {
  return new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined))
}
