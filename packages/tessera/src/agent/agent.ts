import {
  type Clock,
  codes,
  decodeJwt,
  isTesseraError,
  systemClock,
  TesseraError,
} from '@tessera/verify'
import {
  createTokenSource,
  type FetchContext,
  type FetchedToken,
  type TokenSource,
  tesseraIdentityFetcher,
} from '@tessera/verify/client'
import { type AttestationLease, createAttestor } from './attestation.ts'
import { checkTokenDirectory } from './check-token-directory.ts'
import type { AgentConfig, AgentTokenConfig } from './config.ts'
import type { AgentEvent, AgentStatus, AudienceStatus, RefreshError } from './status.ts'
import { writeStatusFile } from './status.ts'
import { writeFileAtomic } from './write-file-atomic.ts'

/** Failures the agent waits out at start: the server's side, not the workload's. */
const transientCodes: ReadonlySet<string> = new Set([
  'upstream_unavailable',
  'internal_error',
  'jwks_unavailable',
  'discovery_mismatch',
])

/** Runs `fn` after `delayMs`; returns a function that cancels it. Injected in tests. */
export type Schedule = (delayMs: number, fn: () => Promise<void>) => () => void

/** Options of `createAgent`; every one has a production default. */
export interface AgentOptions {
  readonly fetch?: typeof fetch
  /** Epoch seconds (default: the system clock). */
  readonly clock?: Clock
  /** Uniform in [0, 1), for refresh and backoff jitter (default `Math.random`). */
  readonly random?: () => number
  /** Told about refreshes, failures and expiries; never given a token. */
  readonly onEvent?: (event: AgentEvent) => void
  /** Timers (default: `setTimeout`, unref'd so an embedding process can exit). */
  readonly schedule?: Schedule
  /** Environment of `env:` references (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv
  /** Deadline of one request in milliseconds (default: the config's `refresh.timeoutSeconds`). */
  readonly timeoutMs?: number
  /**
   * How often an audience is looked at once its refresh window opened or while it backs off,
   * in seconds (default 1): the token source decides whether to fetch, the agent only asks.
   */
  readonly pollSeconds?: number
}

/** A running agent (see `createAgent`). */
export interface Agent {
  /** Obtains every token once, writes the files, then keeps them fresh until `stop`. */
  start(): Promise<void>
  /** Stops the timers, aborts requests in flight and writes the status a last time. */
  stop(): Promise<void>
  /** Makes sure every audience holds a valid token now (fetching where needed). */
  refreshAll(): Promise<void>
  /** The current token of one configured audience (fetching it when needed). */
  token(audience: string): Promise<string>
  /** Each audience's state: never a token. */
  status(): AgentStatus
}

interface AudienceState {
  readonly config: AgentTokenConfig
  readonly source: TokenSource
  token?: string
  expiresAt?: number
  /** When the current token was fetched, epoch seconds. */
  fetchedAt?: number
  subject?: string | undefined
  lastRefresh?: number
  lastError?: RefreshError
  inFlight?: Promise<void> | undefined
  cancel?: (() => void) | undefined
}

const defaultSchedule: Schedule = (delayMs, fn) => {
  const timer = setTimeout(() => {
    fn().catch(() => undefined)
  }, delayMs)
  timer.unref()
  return () => clearTimeout(timer)
}

/**
 * Creates the agent of a configuration: one `TokenSource` (from `@tessera/verify/client`) per
 * audience, fetching from Tessera's `POST /v1/identity/token` with the configured attestation;
 * each new token is written atomically to its file (mode 0600, the configured owner) and the
 * status file is rewritten. The source decides when to refresh (a jittered fraction of the
 * lifetime), backs off while Tessera fails and keeps the cached token until it expires; the
 * agent's timers only ask it, so a token on disk is replaced only by a newer valid one.
 * @example
 * const agent = createAgent(await loadAgentConfig('tessera-agent.yaml'))
 * await agent.start()
 */
export function createAgent(config: AgentConfig, options: AgentOptions = {}): Agent {
  const clock = options.clock ?? systemClock
  const schedule = options.schedule ?? defaultSchedule
  const onEvent = options.onEvent ?? (() => undefined)
  const pollSeconds = options.pollSeconds ?? 1
  const timeoutMs = options.timeoutMs ?? config.refresh.timeoutSeconds * 1000
  let stopped = false
  let statusWrite: Promise<void> = Promise.resolve()

  const states: AudienceState[] = []
  const attestor = createAttestor(config.attestation, {
    ...(options.env === undefined ? {} : { env: options.env }),
    currentToken: () => {
      const now = clock()
      let best: AudienceState | undefined
      for (const s of states) {
        if (s.token === undefined || (s.expiresAt ?? 0) <= now) continue
        if (best === undefined || (s.expiresAt ?? 0) > (best.expiresAt ?? 0)) best = s
      }
      return best?.token
    },
  })

  for (const tokenConfig of config.tokens) {
    let lease: AttestationLease | undefined
    const fetchIdentity = tesseraIdentityFetcher({
      url: `${config.server}/v1/identity/token`,
      audience: tokenConfig.audience,
      attestation: () => (lease as AttestationLease).attestation,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      clock,
      timeoutMs,
    })
    const state: AudienceState = {
      config: tokenConfig,
      source: createTokenSource({
        fetchToken: async (context?: FetchContext): Promise<FetchedToken> => {
          let settle: () => void = () => undefined
          state.inFlight = new Promise<void>((resolve) => {
            settle = resolve
          })
          try {
            lease = await attestor.acquire()
            let fetched: FetchedToken
            try {
              fetched = await fetchIdentity(context)
            } catch (error) {
              lease.release({ ok: false, error })
              throw toAgentError(error)
            }
            // Recorded before the lease is released: the next attestation presents it.
            const now = clock()
            state.token = fetched.token
            state.expiresAt = fetched.expiresAt
            state.fetchedAt = now
            state.subject = subjectOf(fetched.token)
            lease.release({ ok: true })
            await deliver(state, fetched, now)
            return fetched
          } catch (error) {
            const failure = toAgentError(error)
            state.lastError = refreshError(failure)
            onEvent({
              type: 'refresh_failed',
              audience: tokenConfig.audience,
              code: failure.code,
              message: failure.message,
            })
            writeStatus()
            throw failure
          } finally {
            settle()
            state.inFlight = undefined
          }
        },
        clock,
        refreshAt: config.refresh.at,
        jitter: config.refresh.jitter,
        backoff: config.refresh.backoff,
        ...(options.random === undefined ? {} : { random: options.random }),
        timeoutMs,
      }),
    }
    states.push(state)
  }

  async function deliver(state: AudienceState, fetched: FetchedToken, now: number) {
    const { file, owner, audience } = state.config
    await writeFileAtomic(file, fetched.token, {
      mode: 0o600,
      ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
    })
    state.lastRefresh = now
    delete state.lastError
    onEvent({
      type: 'refreshed',
      audience,
      file,
      ...(state.subject === undefined ? {} : { subject: state.subject }),
      expiresAt: fetched.expiresAt,
    })
    writeStatus()
  }

  function writeStatus(): void {
    const snapshot = status()
    statusWrite = statusWrite
      .then(() => writeStatusFile(config.status.file, snapshot))
      .catch((error: unknown) => {
        const failure = toAgentError(error)
        onEvent({ type: 'status_write_failed', code: failure.code, message: failure.message })
      })
  }

  function status(): AgentStatus {
    return {
      audiences: states.map((s): AudienceStatus => {
        const valid = s.expiresAt !== undefined
        return {
          audience: s.config.audience,
          file: s.config.file,
          ...(s.subject === undefined ? {} : { subject: s.subject }),
          ...(valid ? { expiresAt: s.expiresAt as number } : {}),
          ...(s.lastRefresh === undefined ? {} : { lastRefresh: s.lastRefresh }),
          ...(s.lastError === undefined ? {} : { lastError: s.lastError }),
        }
      }),
    }
  }

  /** Asks the source for a token; waits for a refresh it started; notes an expiry. */
  async function look(state: AudienceState): Promise<void> {
    try {
      await state.source.token()
    } catch {
      // Recorded by the fetcher (lastError, event, status).
    }
    await state.inFlight
    const now = clock()
    if (state.token !== undefined && (state.expiresAt ?? 0) <= now) {
      delete state.token
      onEvent({ type: 'expired', audience: state.config.audience, file: state.config.file })
      writeStatus()
    }
    // A look ends with its status on disk, so `tessera agent status` tells what it saw.
    await statusWrite
  }

  function plan(state: AudienceState): void {
    if (stopped) return
    const now = clock()
    let delay = pollSeconds
    if (state.token !== undefined && state.lastError === undefined) {
      // Nothing can happen before the earliest refresh point the source may have drawn.
      const lifetime = (state.expiresAt as number) - (state.fetchedAt as number)
      const earliest =
        (state.fetchedAt as number) +
        lifetime * Math.max(0, config.refresh.at - config.refresh.jitter)
      delay = Math.max(pollSeconds, earliest - now)
    }
    state.cancel = schedule(delay * 1000, async () => {
      state.cancel = undefined
      if (stopped) return
      await look(state)
      plan(state)
    })
  }

  async function refreshAll(): Promise<void> {
    await Promise.all(states.map(look))
  }

  return {
    async start() {
      // Checked before any token is written: a directory others can write is refused.
      for (const state of states) await checkTokenDirectory(state.config.file)
      await refreshAll()
      // Tessera being down, or answering with a server-side failure (5xx: its own
      // internal_error, an upstream issuer's keys unavailable), is waited out; a problem
      // retries cannot fix (a refused attestation, a bad configuration) stops the start.
      const fatal = states.find(
        (s) => s.lastError !== undefined && !transientCodes.has(s.lastError.code),
      )
      if (fatal !== undefined) {
        await this.stop()
        const e = fatal.lastError as RefreshError
        throw new TesseraError({
          code: e.code,
          check: 'agent',
          message: `audience ${JSON.stringify(fatal.config.audience)}: ${e.message}`,
        })
      }
      for (const state of states) plan(state)
    },
    async stop() {
      stopped = true
      for (const state of states) {
        state.cancel?.()
        state.source.close?.()
      }
      await Promise.all(states.map((s) => s.inFlight))
      writeStatus()
      await statusWrite
    },
    refreshAll,
    async token(audience) {
      const state = states.find((s) => s.config.audience === audience)
      if (state === undefined) {
        throw new TesseraError({
          code: 'invalid_options',
          check: 'agent',
          message: `audience ${JSON.stringify(audience)} is not one of the agent's tokens`,
          expected: states.map((s) => s.config.audience),
          actual: audience,
        })
      }
      return state.source.token()
    },
    status,
  }
}

/**
 * A `TesseraError` keeps its code: the client already reports Tessera being unreachable, slow
 * or answering something else as `upstream_unavailable`, which the agent waits out.
 */
function toAgentError(error: unknown): TesseraError {
  if (isTesseraError(error)) return error
  return new TesseraError({
    code: 'internal_error',
    check: 'agent',
    message: `the agent failed: ${error instanceof Error ? error.message : String(error)}`,
    cause: error,
  })
}

function refreshError(error: TesseraError): RefreshError {
  return { code: error.code, message: error.message, hint: error.hint ?? codes[error.code].fix }
}

function subjectOf(token: string): string | undefined {
  try {
    const sub = decodeJwt(token, 64 * 1024).claims.sub
    return typeof sub === 'string' ? sub : undefined
  } catch {
    return undefined
  }
}
