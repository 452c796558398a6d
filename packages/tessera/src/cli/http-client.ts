import { quote, redact, TesseraError } from '@tessera/verify'

/** Deadline of one request the CLI makes, headers and body, in milliseconds. */
export const requestTimeoutMs = 10_000

/** Largest response body the CLI reads, in bytes; a larger one is refused, not buffered. */
export const maxResponseBytes = 1024 * 1024

/** An HTTP answer whose body was JSON, whatever its status. */
export interface JsonResponse {
  readonly status: number
  readonly body: unknown
}

/** One request: JSON or form body, as the endpoint wants it. */
export interface JsonRequest {
  readonly method?: 'GET' | 'POST'
  readonly json?: unknown
  readonly form?: URLSearchParams
  readonly timeoutMs?: number
}

/**
 * Makes one request to a Tessera (or any OAuth) server and parses the JSON answer, whatever
 * the status, so the caller can show the server's error. Bounded: a deadline for the whole
 * transfer and a size cap; redirects are refused, because the body may carry a token that
 * must go to the URL the user named and nowhere else.
 * @throws {TesseraError} `internal_error` with check `connection` when the server cannot be
 * reached or answers something that is not bounded JSON
 */
export async function requestJson(url: string, request: JsonRequest = {}): Promise<JsonResponse> {
  const timeoutMs = request.timeoutMs ?? requestTimeoutMs
  const headers: Record<string, string> = { accept: 'application/json' }
  let body: string | undefined
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(request.json)
  } else if (request.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    body = request.form.toString()
  }
  let response: Response
  try {
    response = await fetch(url, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (error) {
    throw failure(url, describeNetworkError(error, timeoutMs), error)
  }
  const bytes = await readBounded(response, url)
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    throw failure(url, `HTTP ${response.status} with a body that is not UTF-8`, error)
  }
  try {
    return { status: response.status, body: JSON.parse(text) }
  } catch (error) {
    throw failure(
      url,
      `HTTP ${response.status} with a body that is not JSON: ${quote(text)}`,
      error,
    )
  }
}

/** True for the failures `requestJson` throws (the server was not reached or did not answer JSON). */
export function isConnectionFailure(error: unknown): error is TesseraError {
  return error instanceof TesseraError && error.check === 'connection'
}

async function readBounded(response: Response, url: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxResponseBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw failure(url, `response is larger than ${maxResponseBytes} bytes`)
  }
  if (response.body === null) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return Buffer.concat(chunks, total)
      total += value.byteLength
      if (total > maxResponseBytes) {
        await reader.cancel().catch(() => undefined)
        throw failure(url, `response is larger than ${maxResponseBytes} bytes`)
      }
      chunks.push(value)
    }
  } catch (error) {
    if (isConnectionFailure(error)) throw error
    throw failure(url, describeNetworkError(error, requestTimeoutMs), error)
  }
}

function failure(url: string, reason: string, cause?: unknown): TesseraError {
  return new TesseraError({
    code: 'internal_error',
    check: 'connection',
    message: `${quote(url)}: ${reason}`,
    ...(cause === undefined ? {} : { cause }),
  })
}

const networkReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is tessera up running?)',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  ERR_INVALID_URL: 'not a valid URL',
}

// undici hides the system error code in `cause`; walk a few levels to find it.
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError')
    return `no answer within ${timeoutMs} ms`
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return networkReasons[code] ?? `network error (${redact(code)})`
    const message = (current as { message?: unknown }).message
    if (typeof message === 'string' && /redirect/i.test(message))
      return 'the server answered with a redirect; pass the final URL'
    current = (current as { cause?: unknown }).cause
  }
  return 'network error'
}
