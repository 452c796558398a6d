import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'

/** How `fetchJson` bounds one request. */
export interface FetchJsonOptions {
  /** Deadline for the whole request, headers and body, in milliseconds. */
  readonly timeoutMs: number
  /** Largest body accepted, in bytes; a larger one is refused before it is buffered. */
  readonly maxBytes: number
  /** What is fetched, for messages: `JWKS`, `discovery document`. */
  readonly what: string
}

/** A fetched JSON document and the response headers (for Cache-Control). */
export interface FetchJsonResult {
  readonly body: unknown
  readonly headers: Headers
}

/**
 * Fetches a JSON document with a deadline and a size cap: a declared Content-Length above the
 * cap is refused without reading, and a streamed body is cut off as soon as it passes the cap,
 * so a hostile or broken endpoint can neither hang a verifier nor make it buffer a huge body.
 * @throws {TesseraError} `jwks_unavailable` on a network error, timeout, non-2xx status,
 *   oversize body or a body that is not JSON
 */
export async function fetchJson(url: string, options: FetchJsonOptions): Promise<FetchJsonResult> {
  const { timeoutMs, maxBytes, what } = options
  const failure = (
    reason: string,
    details: { expected?: string; actual?: string; cause?: unknown } = {},
  ): TesseraError =>
    new TesseraError({
      code: 'jwks_unavailable',
      message: `could not fetch ${what} ${quote(url)}: ${reason}`,
      ...details,
    })
  const networkFailure = (error: unknown): TesseraError =>
    failure(describeNetworkError(error, timeoutMs), {
      ...(isTimeout(error) ? { expected: `a response within ${timeoutMs} ms` } : {}),
      cause: error,
    })
  const tooLarge = `larger than ${maxBytes} bytes`
  const withinCap = `at most ${maxBytes} bytes`

  let response: Response
  try {
    response = await fetch(url, {
      // One signal for headers and body: the deadline covers the whole transfer.
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'follow',
      headers: { accept: 'application/json' },
    })
  } catch (error) {
    throw networkFailure(error)
  }

  if (!response.ok) {
    await discard(response.body)
    throw failure(`HTTP ${response.status}`, { expected: '2xx', actual: `HTTP ${response.status}` })
  }

  const declared = parseContentLength(response.headers.get('content-length'))
  if (declared !== undefined && declared > maxBytes) {
    await discard(response.body)
    throw failure(`${tooLarge} (Content-Length ${declared})`, {
      expected: withinCap,
      actual: `${declared} bytes`,
    })
  }

  let bytes: Uint8Array | undefined
  try {
    bytes = await readBounded(response.body, maxBytes)
  } catch (error) {
    throw networkFailure(error)
  }
  if (bytes === undefined) {
    throw failure(tooLarge, { expected: withinCap, actual: `more than ${maxBytes} bytes` })
  }

  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (error) {
    throw failure('not JSON', {
      expected: 'a JSON document',
      actual: 'invalid UTF-8',
      cause: error,
    })
  }
  try {
    return { body: JSON.parse(text), headers: response.headers }
  } catch (error) {
    throw failure('not JSON', { expected: 'a JSON document', actual: redact(text), cause: error })
  }
}

/** Reads a body up to `maxBytes`; returns undefined (after cancelling the stream) beyond it. */
async function readBounded(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  if (body === null) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return Buffer.concat(chunks, total)
    total += value.byteLength
    if (total > maxBytes) {
      // Cancelling closes the connection: the rest of the body is never received.
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
}

async function discard(body: ReadableStream<Uint8Array> | null): Promise<void> {
  await body?.cancel().catch(() => undefined)
}

function parseContentLength(value: string | null): number | undefined {
  return value !== null && /^\d+$/.test(value.trim()) ? Number(value.trim()) : undefined
}

const networkReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed',
  ERR_INVALID_URL: 'not a valid URL',
}

function isTimeout(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'TimeoutError'
}

/** Turns what `fetch` threw into a short reason; undici hides the system code in `cause`. */
function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (isTimeout(error)) return `timed out after ${timeoutMs} ms`
  let current: unknown = error
  let innermost: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return networkReasons[code] ?? `network error (${redact(code)})`
    innermost = current
    current = (current as { cause?: unknown }).cause
  }
  const message = innermost instanceof Error ? innermost.message : String(innermost)
  return `network error: ${redact(message)}`
}
