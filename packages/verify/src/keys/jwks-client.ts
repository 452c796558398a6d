import { quote, redact } from '../explain/redact.ts'
import { isTesseraError, type Problem, TesseraError } from '../explain/tessera-error.ts'
import type { JwsAlgorithm } from '../token/algorithms.ts'
import type { Clock } from '../token/clock.ts'
import { fetchJson } from './bounded-fetch.ts'
import { fetchDiscovery, isHttpUrl } from './discovery.ts'
import { selectKeys } from './key-selection.ts'
import { importKeySet, type KeySet } from './key-set.ts'
import type { KeySource, KeySourceState } from './key-source.ts'
import type { VerificationKey } from './verification-key.ts'

/** Options shared by both ways of locating a remote key set. */
export interface JwksClientBaseOptions {
  /** Label used in messages, usually the issuer. */
  readonly source: string
  /** The time in epoch seconds; every freshness decision reads it. */
  readonly clock: Clock
  /** Deadline of one request (discovery and JWKS are two), in milliseconds. Default 5000. */
  readonly timeoutMs?: number
  /** Largest document accepted, in bytes. Default 524288 (512 KiB). */
  readonly maxBytes?: number
  /** Longest a fetched set is used before a refresh, in seconds; a shorter Cache-Control max-age wins. Default 600. */
  readonly maxAgeSeconds?: number
  /** Shortest time between two fetches caused by tokens (unknown kid, failures), in seconds. Default 30. */
  readonly cooldownSeconds?: number
  /** How long past its max age a set is still served while refreshes fail, in seconds. Default 3600. */
  readonly staleIfErrorSeconds?: number
}

/** Where the key set is: a JWKS URL, or an issuer whose discovery document names it. Exactly one. */
export type JwksClientOptions = JwksClientBaseOptions &
  (
    | { readonly jwksUri: string; readonly discovery?: never }
    | { readonly discovery: string; readonly jwksUri?: never }
  )

/** A remote key source that can also be refreshed on demand. */
export interface JwksClient extends KeySource {
  /**
   * Fetches the key set now (re-discovering the JWKS URL), ignoring the cooldown; joins a
   * fetch already in flight.
   * @throws {TesseraError} `jwks_unavailable`, `discovery_mismatch`
   */
  refresh(): Promise<void>
}

/** The defaults of the optional `JwksClientOptions`. */
export const jwksClientDefaults = Object.freeze({
  timeoutMs: 5000,
  maxBytes: 512 * 1024,
  maxAgeSeconds: 600,
  cooldownSeconds: 30,
  staleIfErrorSeconds: 3600,
})

interface ResolvedJwksClientOptions {
  readonly source: string
  readonly kind: 'jwks_uri' | 'discovery'
  /** The JWKS URL (`jwks_uri`) or the issuer (`discovery`). */
  readonly location: string
  readonly clock: Clock
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly maxAgeSeconds: number
  readonly cooldownSeconds: number
  readonly staleIfErrorSeconds: number
}

interface CachedSet {
  readonly set: KeySet
  readonly kids: readonly string[]
  readonly jwksUri: string
  readonly fetchedAt: number
  readonly expiresAt: number
}

/**
 * A key source over a remote JWKS, fetched lazily on first use and cached. No timers: a set
 * past its max age is refreshed by the next `select`; a fresh set answers synchronously.
 * An unknown kid refreshes the set at most once per cooldown; concurrent fetches are shared;
 * a failing endpoint leaves the last good set in use for `staleIfErrorSeconds`.
 * @throws {TesseraError} `invalid_options` listing every problem
 * @example
 * const keys = createJwksClient({
 *   source: 'https://token.actions.githubusercontent.com',
 *   discovery: 'https://token.actions.githubusercontent.com',
 *   clock: systemClock,
 * })
 * const candidates = await keys.select(header.kid, header.alg)
 */
export function createJwksClient(options: JwksClientOptions): JwksClient {
  const o = resolveJwksClientOptions(options)
  const { clock, source } = o
  const limits = { timeoutMs: o.timeoutMs, maxBytes: o.maxBytes }
  let cached: CachedSet | undefined
  let discoveredUri: string | undefined
  let lastAttemptAt: number | undefined
  // The error of the latest attempt while it is the latest; cleared by a success.
  let lastFailure: TesseraError | undefined
  let lastError: KeySourceState['lastError']
  let fetches = 0
  let inflight: Promise<void> | undefined

  const cooldownLeft = (now: number): number =>
    lastAttemptAt === undefined ? 0 : lastAttemptAt + o.cooldownSeconds - now

  function servableSet(now: number): KeySet | undefined {
    if (cached === undefined) return undefined
    const staleUntil = cached.fetchedAt + o.maxAgeSeconds + o.staleIfErrorSeconds
    return now < cached.expiresAt || now < staleUntil ? cached.set : undefined
  }

  async function attempt(force: boolean): Promise<void> {
    const startedAt = clock()
    // Counted at the start, success or not, so a down endpoint is not hammered either.
    lastAttemptAt = startedAt
    try {
      let jwksUri = o.location
      if (o.kind === 'discovery') {
        // The jwks_uri lives as long as the set it located: an expired set is re-discovered.
        if (
          force ||
          discoveredUri === undefined ||
          cached === undefined ||
          startedAt >= cached.expiresAt
        ) {
          const document = await fetchDiscovery(o.location, limits)
          discoveredUri = document.jwks_uri
        }
        jwksUri = discoveredUri
      }
      const { body, headers } = await fetchJson(jwksUri, { ...limits, what: 'JWKS' })
      // Imported once per fetch, never per token.
      const set = importKeySet(body, source)
      const fetchedAt = clock()
      cached = Object.freeze({
        set,
        kids: Object.freeze(set.keys.flatMap((k) => (k.kid === undefined ? [] : [k.kid]))),
        jwksUri,
        fetchedAt,
        expiresAt: fetchedAt + lifetimeSeconds(headers.get('cache-control'), o),
      })
      fetches += 1
      lastFailure = undefined
    } catch (error) {
      const failure = asTesseraError(error, source)
      lastFailure = failure
      lastError = Object.freeze({ code: failure.code, message: failure.message, at: clock() })
      throw failure
    }
  }

  function load(force: boolean): Promise<void> {
    inflight ??= attempt(force).finally(() => {
      inflight = undefined
    })
    return inflight
  }

  async function loadThenSelect(
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): Promise<readonly VerificationKey[]> {
    try {
      await load(false)
    } catch (error) {
      // Stale-if-error: an outage of the endpoint does not become an outage of the receiver
      // until the last good set is older than max age + staleIfErrorSeconds.
      const stale = servableSet(clock())
      if (stale === undefined) throw error
      return selectKeys(stale, kid, alg, source)
    }
    return selectKeys((cached as CachedSet).set, kid, alg, source)
  }

  function select(
    kid: string | undefined,
    alg: JwsAlgorithm,
  ): readonly VerificationKey[] | Promise<readonly VerificationKey[]> {
    const now = clock()
    if (cached !== undefined && now < cached.expiresAt) {
      try {
        return selectKeys(cached.set, kid, alg, source)
      } catch (error) {
        if (!isTesseraError(error) || error.code !== 'unknown_key') throw error
        // A new kid is how a key rotation shows up, so refresh; but at most once per cooldown,
        // so a flood of tokens with made-up kids cannot become a flood of fetches.
        const left = cooldownLeft(now)
        if (inflight === undefined && left > 0) {
          const verb = lastFailure === undefined ? 'refreshed' : 'refresh failed'
          throw withNote(
            error,
            `key set ${verb} ${now - (lastAttemptAt ?? now)} s ago, next refresh allowed in ${left} s`,
          )
        }
        return loadThenSelect(kid, alg)
      }
    }
    const left = cooldownLeft(now)
    if (inflight === undefined && lastFailure !== undefined && left > 0) {
      // The last attempt failed less than a cooldown ago: answer from what we have.
      const stale = servableSet(now)
      if (stale === undefined) {
        throw withNote(
          lastFailure,
          `last attempt ${now - (lastAttemptAt ?? now)} s ago, next attempt allowed in ${left} s`,
        )
      }
      return selectKeys(stale, kid, alg, source)
    }
    return loadThenSelect(kid, alg)
  }

  function state(): KeySourceState {
    const jwksUri = o.kind === 'jwks_uri' ? o.location : (cached?.jwksUri ?? discoveredUri)
    return Object.freeze({
      kind: o.kind,
      ...(jwksUri === undefined ? {} : { jwksUri }),
      ...(cached === undefined ? {} : { fetchedAt: cached.fetchedAt, expiresAt: cached.expiresAt }),
      kids: cached?.kids ?? [],
      rejected: cached?.set.rejected ?? [],
      ...(lastError === undefined ? {} : { lastError }),
      fetches,
    })
  }

  return { select, state, refresh: () => load(true) }
}

/** Seconds a fetched set stays fresh: the smaller of maxAgeSeconds and Cache-Control max-age, never below the cooldown. */
function lifetimeSeconds(cacheControl: string | null, o: ResolvedJwksClientOptions): number {
  const maxAge = parseMaxAge(cacheControl)
  const lifetime = maxAge === undefined ? o.maxAgeSeconds : Math.min(o.maxAgeSeconds, maxAge)
  // A server asking for max-age=0 must not turn every token into a fetch.
  return Math.max(o.cooldownSeconds, lifetime)
}

// RFC 9111 §5.2.2.1: max-age=delta-seconds (a quoted value is tolerated, §5.2).
function parseMaxAge(cacheControl: string | null): number | undefined {
  for (const directive of cacheControl?.split(',') ?? []) {
    const match = /^\s*max-age\s*=\s*"?(\d+)"?\s*$/i.exec(directive)
    if (match !== null) return Number(match[1])
  }
  return undefined
}

function withNote(error: TesseraError, note: string): TesseraError {
  return new TesseraError({ ...error.toJSON(), message: `${error.message}; ${note}`, cause: error })
}

function asTesseraError(error: unknown, source: string): TesseraError {
  if (isTesseraError(error)) return error
  return new TesseraError({
    code: 'jwks_unavailable',
    message: `could not load the key set of ${source}: ${redact(error instanceof Error ? error.message : error)}`,
    cause: error,
  })
}

function resolveJwksClientOptions(options: JwksClientOptions): ResolvedJwksClientOptions {
  // Read as untrusted: JavaScript callers and casts get the same checks as typed ones.
  const input = (typeof options === 'object' && options !== null ? options : {}) as Readonly<
    Record<string, unknown>
  >
  const problems: Problem[] = []
  const source = input.source
  if (typeof source !== 'string' || source === '') {
    problems.push({ path: 'source', message: `must be a non-empty string, got ${shown(source)}` })
  }
  const clock = input.clock
  if (typeof clock !== 'function') {
    problems.push({
      path: 'clock',
      message: `must be a function returning epoch seconds, got ${shown(clock)}`,
    })
  }
  const { jwksUri, discovery } = input
  if (jwksUri === undefined && discovery === undefined) {
    problems.push({
      path: 'jwksUri',
      message: 'exactly one of jwksUri and discovery is required, got neither',
    })
  } else if (jwksUri !== undefined && discovery !== undefined) {
    problems.push({
      path: 'discovery',
      message: 'exactly one of jwksUri and discovery is allowed, got both',
    })
  }
  for (const [path, value] of [
    ['jwksUri', jwksUri],
    ['discovery', discovery],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !isHttpUrl(value))) {
      problems.push({ path, message: `must be an http or https URL, got ${shown(value)}` })
    }
  }
  const number = (path: keyof typeof jwksClientDefaults, positive: boolean): number => {
    const value = input[path]
    if (value === undefined) return jwksClientDefaults[path]
    if (
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (positive ? value > 0 : value >= 0)
    ) {
      return value
    }
    const bound = positive ? 'a positive number' : 'a non-negative number'
    problems.push({ path, message: `must be ${bound}, got ${shown(value)}` })
    return jwksClientDefaults[path]
  }
  const resolved = {
    timeoutMs: number('timeoutMs', true),
    maxBytes: number('maxBytes', true),
    maxAgeSeconds: number('maxAgeSeconds', false),
    cooldownSeconds: number('cooldownSeconds', false),
    staleIfErrorSeconds: number('staleIfErrorSeconds', false),
  }
  if (problems.length > 0) {
    throw new TesseraError({
      code: 'invalid_options',
      message: `invalid JWKS client options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      problems,
    })
  }
  const kind = discovery === undefined ? 'jwks_uri' : 'discovery'
  return Object.freeze({
    source: source as string,
    kind,
    location: (kind === 'jwks_uri' ? jwksUri : discovery) as string,
    clock: clock as Clock,
    ...resolved,
  })
}

function shown(value: unknown): string {
  if (typeof value === 'string') return quote(value)
  return typeof value === 'number' ? String(value) : redact(value)
}
