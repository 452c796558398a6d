import { quote, TesseraError } from '@tessera/verify'

/** The `fetch` a delivery calls (the global one unless a test or embedder passes its own). */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>

/** A bounded answer: status, headers and the body as text. */
export interface FormAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** Options of `postForm`. */
export interface PostFormOptions {
  readonly fetch?: Fetch
  /** Deadline of the whole transfer, milliseconds. Default 10 000. */
  readonly timeoutMs?: number
  /** Largest body read, bytes. Default 64 KiB: an STS answer is about 2 KiB. */
  readonly maxBytes?: number
}

/**
 * POSTs a form and reads the answer within a deadline and a size cap. Redirects are refused:
 * the form carries a token that must go to the URL configured and nowhere else.
 * @throws {TesseraError} `upstream_unavailable` when the server cannot be reached, times out or
 * answers too much
 */
export async function postForm(
  url: string,
  form: URLSearchParams,
  options: PostFormOptions = {},
): Promise<FormAnswer> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const maxBytes = options.maxBytes ?? 64 * 1024
  const doFetch: Fetch = options.fetch ?? fetch
  const signal = AbortSignal.timeout(timeoutMs)
  let response: Response
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'error',
      signal,
    })
  } catch (error) {
    throw unavailable(url, describe(error, timeoutMs), error)
  }
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        size += chunk.byteLength
        if (size > maxBytes) {
          await response.body.cancel().catch(() => undefined)
          throw unavailable(url, `the answer is larger than ${maxBytes} bytes`)
        }
        chunks.push(chunk)
      }
    }
  } catch (error) {
    if (error instanceof TesseraError) throw error
    throw unavailable(url, describe(error, timeoutMs), error)
  }
  const text = new TextDecoder('utf-8').decode(Buffer.concat(chunks))
  return { status: response.status, headers: response.headers, text }
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
  if (typeof cause?.code === 'string') return cause.code
  return error instanceof Error ? error.message : String(error)
}

function unavailable(url: string, reason: string, cause?: unknown): TesseraError {
  return new TesseraError({
    code: 'upstream_unavailable',
    message: `${quote(url)} could not be asked: ${reason}`,
    ...(cause === undefined ? {} : { cause }),
  })
}
