import type { TokenSource } from './token-source.ts'

/**
 * Wraps `fetch` so that every request carries `Authorization: Bearer <token>` from `source`
 * (replacing any Authorization the caller set). A failure to get a token rejects the call
 * with the source's `TesseraError` and sends nothing.
 * @example
 * const call = withTokens(source)
 * const res = await call('https://payments.example.org/v1/charges')
 */
export function withTokens(
  source: TokenSource,
  fetchImpl: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const token = await source.token()
    // Headers from init win over the Request's own, as fetch() itself does.
    const headers = new Headers(
      init?.headers ?? (input instanceof Request ? input.headers : undefined),
    )
    headers.set('authorization', `Bearer ${token}`)
    return fetchImpl(input, { ...init, headers })
  }
}
