import { type ErrorCode, isErrorCode } from '../explain/codes.ts'
import { type HintId, hintIds } from '../explain/hint-id.ts'
import { quote, redact } from '../explain/redact.ts'
import { TesseraError } from '../explain/tessera-error.ts'

/** Default deadline of one token request, in milliseconds. */
export const defaultTimeoutMs = 10_000
/** Default largest token response accepted, in bytes (a token response is a few KiB). */
export const defaultMaxResponseBytes = 64 * 1024

/** One POST to a token endpoint. */
export interface TokenEndpointRequest {
  readonly url: string
  /** What is asked, for messages: `token exchange`, `identity token`. */
  readonly what: string
  readonly body: string
  readonly contentType: string
  readonly headers?: Readonly<Record<string, string>>
  readonly fetch: typeof fetch
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  /** The token source's signal (attempt deadline, close). */
  readonly signal?: AbortSignal
}

/** What a token endpoint answered: a 2xx JSON object, or an error status as a `TesseraError`. */
export type TokenEndpointAnswer =
  | {
      readonly ok: true
      readonly body: Readonly<Record<string, unknown>>
      readonly headers: Headers
    }
  | {
      readonly ok: false
      readonly status: number
      /** The server's code when it sent a known one (RFC 6749 §5.2 JSON with `code`). */
      readonly error: TesseraError
      /** The RFC 6749 `error` member, e.g. `use_dpop_nonce`. */
      readonly oauthError: string | undefined
      readonly headers: Headers
    }

/**
 * POSTs `body` with a deadline and reads at most `maxResponseBytes` of the answer. A 2xx must
 * be a JSON object; an error status is returned (not thrown) with a `TesseraError` carrying the
 * server's `code` when it is one of Tessera's, else `upstream_unavailable` (a proxy's 502, a
 * wrong URL's 404), and a message naming the URL's origin and the HTTP status. Redirects are
 * not followed: that would send the presented token elsewhere.
 * @throws {TesseraError} `upstream_unavailable` on a network error (naming its errno), timeout,
 *   oversize body, or a 2xx that is not a JSON object
 */
export async function postToTokenEndpoint(
  request: TokenEndpointRequest,
): Promise<TokenEndpointAnswer> {
  const { url, what, timeoutMs, maxResponseBytes } = request
  const deadline = AbortSignal.timeout(timeoutMs)
  const signal =
    request.signal === undefined ? deadline : AbortSignal.any([deadline, request.signal])
  const failure = (
    reason: string,
    details: { expected?: string; actual?: string } = {},
    cause?: unknown,
  ) =>
    new TesseraError({
      code: 'upstream_unavailable',
      check: 'token_endpoint',
      message: `${what} at ${originOf(url)} failed: ${reason}`,
      ...details,
      ...(cause === undefined ? {} : { cause }),
    })

  let response: Response
  let text: string | undefined
  try {
    response = await request.fetch(url, {
      method: 'POST',
      headers: {
        ...request.headers,
        'content-type': request.contentType,
        accept: 'application/json',
      },
      body: request.body,
      signal,
      redirect: 'manual',
    })
    text = await readBounded(response, maxResponseBytes)
  } catch (error) {
    const timedOut = deadline.aborted
    throw failure(
      networkReason(error, timedOut, timeoutMs),
      timedOut ? { expected: `an answer within ${timeoutMs} ms` } : {},
      error,
    )
  }
  if (text === undefined) {
    throw failure(`the answer is larger than ${maxResponseBytes} bytes`, {
      expected: `at most ${maxResponseBytes} bytes`,
      actual: `more than ${maxResponseBytes} bytes`,
    })
  }

  const contentType = response.headers.get('content-type') ?? ''
  const isJson = /^application\/(?:[\w.+-]*\+)?json\s*(?:;|$)/i.test(contentType)
  let body: unknown
  try {
    body = isJson ? JSON.parse(text) : undefined
  } catch (error) {
    if (response.status >= 200 && response.status < 300)
      throw failure('the answer is not valid JSON', { expected: 'a JSON object' }, error)
  }
  if (response.status >= 200 && response.status < 300) {
    if (!isJson) {
      throw failure(`the answer has content-type ${quote(contentType)}`, {
        expected: 'application/json',
        actual: redact(contentType),
      })
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw failure('the answer is not a JSON object', {
        expected: 'a JSON object',
        // The kind only: the text may hold a token.
        actual: body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body,
      })
    }
    return { ok: true, body: body as Record<string, unknown>, headers: response.headers }
  }
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  return {
    ok: false,
    status: response.status,
    error: serverError(url, what, response.status, record),
    oauthError: typeof record.error === 'string' ? record.error : undefined,
    headers: response.headers,
  }
}

function serverError(
  url: string,
  what: string,
  status: number,
  record: Readonly<Record<string, unknown>>,
): TesseraError {
  // Without one of Tessera's codes the answer is not Tessera's: a proxy, a wrong URL, a crash.
  const known = isErrorCode(record.code)
  const error = typeof record.error === 'string' ? ` ${quote(record.error)}` : ''
  const description =
    typeof record.error_description === 'string' ? `: ${redact(record.error_description)}` : ''
  const hint =
    known && hintIds.includes(record.hint as HintId) ? (record.hint as HintId) : undefined
  return new TesseraError({
    code: known ? (record.code as ErrorCode) : 'upstream_unavailable',
    check: 'token_endpoint',
    message: `${what} at ${originOf(url)} answered HTTP ${status}${error}${description}`,
    expected: 'HTTP 200',
    actual: `HTTP ${status}`,
    ...(hint === undefined ? {} : { hint }),
  })
}

/**
 * The scheme, host and port of `url`, for messages: a path or query may carry a token and
 * userinfo a password, an origin never does.
 */
export function originOf(url: string): string {
  const parsed = URL.parse(url)
  return parsed === null ? 'an unparsable URL' : parsed.origin
}

/** Reads the body up to `maxBytes`; undefined (stream cancelled) beyond it. */
async function readBounded(response: Response, maxBytes: number): Promise<string | undefined> {
  const declared = response.headers.get('content-length')
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    return undefined
  }
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return new TextDecoder().decode(Buffer.concat(chunks, total))
    total += value.byteLength
    if (total > maxBytes) {
      // Cancelling closes the connection: the rest is never received.
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
}

function networkReason(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`
  if ((error as { name?: unknown } | null)?.name === 'AbortError') return 'aborted'
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return `network error (${redact(code)})`
    current = (current as { cause?: unknown }).cause
  }
  const message = error instanceof Error ? error.message : String(error)
  // fetch's own messages quote the whole URL, userinfo and query included.
  const scrubbed = message.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (found) => originOf(found))
  return `network error: ${redact(scrubbed)}`
}
