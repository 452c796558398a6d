import { redact } from '../explain/redact.ts'
import { isTesseraError, type Problem, TesseraError } from '../explain/tessera-error.ts'
import { type Clock, systemClock } from '../token/clock.ts'
import {
  type BackoffOptions,
  backoffDelay,
  defaultBackoff,
  type ResolvedBackoff,
} from './backoff.ts'

/** A token and the epoch second it stops being valid. */
export interface FetchedToken {
  readonly token: string
  readonly expiresAt: number
}

/** Handed to a fetcher for each attempt: abort when the attempt times out or the source closes. */
export interface FetchContext {
  readonly signal: AbortSignal
}

/** Obtains a fresh token (one attempt); a `TesseraError` it throws reaches the callers as is. */
export type TokenFetcher = (context?: FetchContext) => Promise<FetchedToken>

/** Something that hands out a currently valid token. */
export interface TokenSource {
  /** The cached token while it is valid; a fresh one otherwise. Never returns an expired token. */
  token(): Promise<string>
  /** Aborts any attempt in flight and forgets the token; later calls reject. */
  close?(): void
}

/** Options of `createTokenSource`. */
export interface TokenSourceOptions {
  readonly fetchToken: TokenFetcher
  /** Epoch seconds (default: the system clock). */
  readonly clock?: Clock
  /** Fraction of a token's lifetime after which a refresh starts (default 0.5). */
  readonly refreshAt?: number
  /** ± spread of `refreshAt`, as a fraction of the lifetime (default 0.1). */
  readonly jitter?: number
  /** Waits between failed attempts (default 1 s doubling to 60 s, full jitter). */
  readonly backoff?: BackoffOptions
  /** Uniform random number in [0, 1) (default `Math.random`); injected for tests. */
  readonly random?: () => number
  /** Deadline of one attempt in milliseconds (default 10 000); the fetcher's signal aborts then. */
  readonly timeoutMs?: number
}

interface Cached {
  readonly token: string
  readonly expiresAt: number
  readonly refreshAfter: number
}

/**
 * Creates a token source that caches a token and refreshes it lazily: `token()` returns the
 * cached token while it is fresh; past the refresh point (a jittered fraction of its lifetime)
 * it starts one background refresh and still returns the cached token; without a valid token
 * it waits for a refresh. Concurrent callers share one attempt. Failures back off
 * exponentially with full jitter; before the backoff deadline nothing is fetched and callers
 * get the cached token while it lasts, then the last failure. No timers: every decision is
 * taken inside `token()`, against `clock`. A fetcher's `TesseraError` reaches callers as is; an
 * attempt that times out, or a plain error carrying an errno, becomes `upstream_unavailable`;
 * any other failure of the fetcher is `internal_error`.
 * @throws {TesseraError} `invalid_options` listing every problem
 * @example
 * const source = createTokenSource({ fetchToken: tesseraExchangeFetcher({ ... }) })
 * const token = await source.token()
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const settings = resolveOptions(options)
  const { fetchToken, clock, random, timeoutMs } = settings
  const closing = new AbortController()
  let cached: Cached | undefined
  let inFlight: Promise<Cached> | undefined
  let failures = 0
  let retryAfter = Number.NEGATIVE_INFINITY
  let lastError: TesseraError | undefined

  async function attempt(): Promise<Cached> {
    const signal = AbortSignal.any([closing.signal, AbortSignal.timeout(timeoutMs)])
    try {
      const fetched = await untilAborted(fetchToken({ signal }), signal)
      const now = clock()
      checkFetched(fetched, now)
      const lifetime = fetched.expiresAt - now
      const spread = settings.jitter * (2 * random() - 1)
      const fraction = Math.min(1, Math.max(0, settings.refreshAt + spread))
      cached = {
        token: fetched.token,
        expiresAt: fetched.expiresAt,
        refreshAfter: now + lifetime * fraction,
      }
      failures = 0
      retryAfter = Number.NEGATIVE_INFINITY
      lastError = undefined
      return cached
    } catch (error) {
      const failure = toTesseraError(error, signal, closing.signal, timeoutMs)
      failures += 1
      retryAfter = clock() + backoffDelay(failures, settings.backoff, random)
      lastError = failure
      throw failure
    }
  }

  function refresh(): Promise<Cached> {
    if (inFlight === undefined) {
      inFlight = attempt().finally(() => {
        inFlight = undefined
      })
    }
    return inFlight
  }

  return {
    async token() {
      if (closing.signal.aborted) throw closedError()
      const now = clock()
      if (cached !== undefined && now < cached.expiresAt) {
        if (now >= cached.refreshAfter && inFlight === undefined && now >= retryAfter) {
          // The failure is kept in lastError; callers still hold a valid token.
          refresh().catch(() => undefined)
        }
        return cached.token
      }
      if (inFlight === undefined && now < retryAfter && lastError !== undefined) throw lastError
      return (await refresh()).token
    },
    close() {
      cached = undefined
      closing.abort()
    },
  }
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (a fetcher may ignore it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

function checkFetched(fetched: unknown, now: number): asserts fetched is FetchedToken {
  const { token, expiresAt } = (fetched ?? {}) as Partial<FetchedToken>
  if (typeof token !== 'string' || token === '' || typeof expiresAt !== 'number') {
    throw new TesseraError({
      code: 'internal_error',
      check: 'token_source',
      message: 'fetchToken resolved without a token: expected { token: string, expiresAt: number }',
      expected: '{ token: string, expiresAt: number }',
      actual: redact(
        typeof fetched === 'object' && fetched !== null ? Object.keys(fetched) : fetched,
      ),
    })
  }
  if (!Number.isFinite(expiresAt) || expiresAt <= now) {
    throw new TesseraError({
      code: 'internal_error',
      check: 'token_source',
      message: `fetchToken returned a token that is already expired (expiresAt ${expiresAt}, now ${now})`,
      expected: `expiresAt > ${now}`,
      actual: String(expiresAt),
    })
  }
}

function toTesseraError(
  error: unknown,
  signal: AbortSignal,
  closed: AbortSignal,
  timeoutMs: number,
): TesseraError {
  if (closed.aborted) return closedError()
  if (isTesseraError(error)) return error
  if (signal.aborted && error === signal.reason) {
    return new TesseraError({
      code: 'upstream_unavailable',
      check: 'token_source',
      message: `fetching a token timed out after ${timeoutMs} ms`,
      expected: `a token within ${timeoutMs} ms`,
      cause: error,
    })
  }
  const errno = errnoOf(error)
  if (errno !== undefined) {
    return new TesseraError({
      code: 'upstream_unavailable',
      check: 'token_source',
      message: `fetching a token failed: network error (${redact(errno)})`,
      actual: redact(errno),
      cause: error,
    })
  }
  // Anything else is a bug in the fetcher, not the server being away.
  const message = error instanceof Error ? error.message : String(error)
  return new TesseraError({
    code: 'internal_error',
    check: 'token_source',
    message: `fetching a token failed: ${redact(message)}`,
    cause: error,
  })
}

/** The errno (`ECONNREFUSED`, `ETIMEDOUT`…) of a network error or of one of its causes. */
function errnoOf(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code
    // Node's own ERR_* codes name a misuse, not the network.
    if (typeof code === 'string' && /^E(?!RR_)[A-Z0-9_]+$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

function closedError(): TesseraError {
  return new TesseraError({
    code: 'internal_error',
    check: 'token_source',
    message: 'the token source is closed',
  })
}

interface ResolvedOptions {
  readonly fetchToken: TokenFetcher
  readonly clock: Clock
  readonly refreshAt: number
  readonly jitter: number
  readonly backoff: ResolvedBackoff
  readonly random: () => number
  readonly timeoutMs: number
}

function resolveOptions(options: TokenSourceOptions): ResolvedOptions {
  const problems: Problem[] = []
  const given = (options ?? {}) as Partial<TokenSourceOptions>
  const fn = (path: string, value: unknown) => {
    if (value !== undefined && typeof value !== 'function')
      problems.push({ path, message: 'must be a function' })
  }
  const number = (path: string, value: unknown, ok: (n: number) => boolean, rule: string) => {
    if (value !== undefined && (typeof value !== 'number' || !ok(value)))
      problems.push({ path, message: `must be ${rule}` })
  }
  if (typeof given.fetchToken !== 'function')
    problems.push({ path: 'fetchToken', message: 'is required: a function returning a token' })
  fn('clock', given.clock)
  fn('random', given.random)
  number('refreshAt', given.refreshAt, (n) => n > 0 && n <= 1, 'a fraction in (0, 1]')
  number('jitter', given.jitter, (n) => n >= 0 && n < 1, 'a fraction in [0, 1)')
  number('timeoutMs', given.timeoutMs, positive, 'a positive number of milliseconds')
  const backoff = given.backoff ?? {}
  number('backoff.initialSeconds', backoff.initialSeconds, positive, 'a positive number')
  number('backoff.maxSeconds', backoff.maxSeconds, positive, 'a positive number')
  number('backoff.factor', backoff.factor, (n) => n >= 1 && n < Infinity, 'at least 1')
  const resolvedBackoff: ResolvedBackoff = Object.freeze({
    initialSeconds: backoff.initialSeconds ?? defaultBackoff.initialSeconds,
    maxSeconds: backoff.maxSeconds ?? defaultBackoff.maxSeconds,
    factor: backoff.factor ?? defaultBackoff.factor,
  })
  if (problems.length === 0 && resolvedBackoff.maxSeconds < resolvedBackoff.initialSeconds) {
    problems.push({
      path: 'backoff.maxSeconds',
      message: 'must be at least backoff.initialSeconds',
    })
  }
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `createTokenSource options are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`,
      problems,
    })
  }
  return {
    fetchToken: given.fetchToken as TokenFetcher,
    clock: given.clock ?? systemClock,
    refreshAt: given.refreshAt ?? 0.5,
    jitter: given.jitter ?? 0.1,
    backoff: resolvedBackoff,
    random: given.random ?? Math.random,
    timeoutMs: given.timeoutMs ?? 10_000,
  }
}

function positive(n: number): boolean {
  return n > 0 && Number.isFinite(n)
}
