/**
 * @module app — the composition root: configuration → store → key-encryption key → key
 * manager → verifier → exchange engine → HTTP server. May import every part.
 */
import type { AddressInfo } from 'node:net'
import {
  type Clock,
  createVerifier,
  isTesseraError,
  systemClock,
  TesseraError,
  type Verifier,
} from '@tessera/verify'
import {
  type CompiledConfig,
  type ConfigOverrides,
  loadConfig,
  type SamlTrustRefresher,
  type Schedule,
  startSamlTrust,
  watchConfig,
} from './config/index.ts'
import {
  createKeyManager,
  createMinter,
  type KeyManager,
  loadKeyEncryptionKey,
} from './issuer/index.ts'
import { buildServer, type RunningGrpcServer, startGrpcServer } from './server/index.ts'
import { createMemoryStores, openSqliteStores } from './store/index.ts'
import { createExchangeEngine } from './sts/index.ts'
import { createLogger, type Logger } from './telemetry/index.ts'

/** Options of `startTessera`. */
export interface StartOptions {
  /** Path of `tessera.yaml`. */
  readonly configPath: string
  /** Command-line values that win over the file (`--listen`, `--data-dir`). */
  readonly overrides?: ConfigOverrides
  /** Environment for `env:` secret references (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv
  /** Epoch-seconds clock for every part (default: the system clock). */
  readonly clock?: Clock
  /** Logger (default: pino to stdout at `telemetry.logLevel`). */
  readonly logger?: Logger
  /**
   * Timers of the SAML metadata refresh (default: unref'd `setTimeout`); tests pass manual
   * timers with the matching `clock`.
   */
  readonly schedule?: Schedule
}

/** A started Tessera. */
export interface RunningTessera {
  /** Where the server listens (`http://127.0.0.1:8080`); the bound port when 0 was asked. */
  readonly url: string
  /** The public issuer URL (`server.publicUrl`): `iss` of every token and the discovery issuer. */
  readonly issuer: string
  /** Where the gRPC token service listens (`127.0.0.1:50051`), when `server.grpcListen` is set. */
  readonly grpcAddress?: string
  /** The configuration in force (the last good one after reloads). */
  config(): CompiledConfig
  /**
   * Reads the file again now and applies it exactly as a change on disk would (a refused file
   * is logged and the running configuration stays). For SIGHUP and for tests.
   */
  reload(): Promise<void>
  /**
   * Graceful stop: no new connections, in-flight requests finish, the lifecycle timer and
   * the watcher stop, then the store is closed (audit flushed). Idempotent.
   */
  close(): Promise<void>
}

// Sections read once at start: a change to them needs a restart. Applying a new issuer URL,
// algorithm or key-encryption key to running key material, or a new data directory to an open
// store, would leave the server half on the old and half on the new configuration.
const restartOnlySections = ['server', 'issuer', 'keyEncryptionKey', 'store'] as const

/**
 * Starts Tessera: loads and compiles the configuration, opens the store, loads the
 * key-encryption key, brings the signing keys up to date (and keeps them so on a timer),
 * builds the verifier and the exchange engine, and listens (HTTPS when `server.tls` is set;
 * the gRPC token service too when `server.grpcListen` is set).
 * The configuration file is watched: a valid change to policies, inventory, trusted issuers
 * or telemetry is applied atomically; an invalid one is logged with every problem and the
 * running configuration stays. Signals are the caller's business (`tessera up`).
 *
 * @throws {TesseraError} `invalid_config` (the file, the key-encryption key, an address that
 * cannot be bound), `internal_error` (the store)
 * @example
 * ```ts
 * const tessera = await startTessera({ configPath: 'tessera.yaml' })
 * console.log(`issuer ${tessera.issuer}`)
 * process.once('SIGTERM', () => tessera.close())
 * ```
 */
export async function startTessera(options: StartOptions): Promise<RunningTessera> {
  const env = options.env ?? process.env
  const clock = options.clock ?? systemClock
  const configOptions = {
    env,
    clock,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  }
  let config = await loadConfig(options.configPath, configOptions)
  const logger = options.logger ?? createLogger({ level: config.telemetry.logLevel })

  const stores =
    config.store.kind === 'sqlite'
      ? await openSqliteStores({ dataDir: config.store.dataDir, clock })
      : createMemoryStores(clock)
  try {
    return await startOnStores()
  } catch (error) {
    await stores.close()
    throw error
  }

  async function startOnStores(): Promise<RunningTessera> {
    const kek = await loadKeyEncryptionKey(config.keyEncryptionKey, env)
    const keys = createKeyManager({ store: stores.keys, settings: config.issuer, kek, clock })
    await keys.ensure()

    let verifier = buildVerifier(config, keys, clock)
    // SAML IdPs whose metadata is a URL are fetched here, before the server serves, then
    // again on their metadata's schedule (a rotated certificate is picked up without a restart).
    const samlOptions = {
      env,
      clock,
      logger,
      ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    }
    let saml: SamlTrustRefresher = await startSamlTrust(config, samlOptions)
    let samlReload: Promise<void> | undefined
    // The engine keeps this object for its lifetime; each call reads the current verifier,
    // so a reload swaps trust in one assignment and in-flight requests finish on the old one.
    const currentVerifier: Verifier = {
      verify: (token) => verifier.verify(token),
      evaluate: (token) => verifier.evaluate(token),
      state: () => verifier.state(),
      verifyRequest: (input) => verifier.verifyRequest(input),
      dpopNonce: () => verifier.dpopNonce(),
      get dpopAlgorithms() {
        return verifier.dpopAlgorithms
      },
    }
    const engine = createExchangeEngine({
      verifier: currentVerifier,
      policies: () => config.policies,
      minter: createMinter({ keys, issuerUrl: config.issuer.issuerUrl, clock }),
      replay: stores.replay,
      audit: stores.audit,
      settings: config.issuer,
      clock,
      joinTokens: stores.joinTokens,
      saml: () => saml.current(),
    })

    let serving = false
    const server = buildServer({
      config: () => config,
      engine,
      keys,
      audit: stores.audit,
      logger,
      ready: () => serving,
      dpop: { replay: stores.replay, clock },
    })

    let closing: Promise<void> | undefined
    const apply = (next: CompiledConfig): void => {
      const changed = restartOnlySections.filter(
        (section) => JSON.stringify(next[section]) !== JSON.stringify(config[section]),
      )
      if (changed.length > 0) {
        logger.error(
          { source: next.source, sections: changed },
          'configuration not applied: these sections change only on restart',
        )
        return
      }
      let nextVerifier = verifier
      // Rebuilt only when trust changed, so the trusted issuers' JWKS caches stay warm.
      if (trustOf(next) !== trustOf(config)) {
        try {
          nextVerifier = buildVerifier(next, keys, clock)
        } catch (error) {
          // Unreachable while compile checks what createVerifier checks; kept so a gap
          // between the two can never turn a reload into a crash.
          reportRefused(logger, next.source, error)
          return
        }
      }
      config = next
      verifier = nextVerifier
      // Metadata URLs are fetched again; until they answer, the previous SAML trust serves
      // (and keeps refreshing), and if they fail it stays (logged), as a refused file leaves
      // the running config.
      samlReload = startSamlTrust(next, samlOptions).then(
        (fresh) => {
          if (config !== next || closing !== undefined) return fresh.stop()
          saml.stop()
          saml = fresh
        },
        (error: unknown) => reportRefused(logger, next.source, error),
      )
      logger.level = next.telemetry.logLevel
      logger.info(
        { source: next.source, policies: next.policies.policyNames.length },
        'configuration reloaded',
      )
    }

    const { host, port } = config.server.listen
    try {
      await server.listen({ host, port })
    } catch (error) {
      saml.stop()
      await server.close()
      throw listenFailure(error, host, port)
    }
    let grpc: RunningGrpcServer | undefined
    if (config.server.grpcListen !== undefined) {
      try {
        grpc = await startGrpcServer({
          engine,
          listen: config.server.grpcListen,
          logger,
          ...(config.server.tls === undefined ? {} : { tls: config.server.tls }),
        })
      } catch (error) {
        saml.stop()
        await server.close()
        throw error
      }
    }
    // Timers and the watch start only once the server serves, so a failed start leaves none.
    const lifecycle = startKeyLifecycle(keys, config, logger)
    const watcher = watchConfig(options.configPath, {
      ...configOptions,
      onChange: apply,
      onError: (error) => reportRefused(logger, options.configPath, error),
    })
    serving = true
    const url = listeningUrl(
      server.server.address() as AddressInfo,
      config.server.tls !== undefined,
    )
    logger.info({ url, issuer: config.issuer.issuerUrl, grpc: grpc?.address }, 'tessera started')

    return {
      url,
      issuer: config.issuer.issuerUrl,
      ...(grpc === undefined ? {} : { grpcAddress: grpc.address }),
      config: () => config,
      reload: () => watcher.reload(),
      close: () => {
        closing ??= (async () => {
          serving = false
          watcher.close()
          lifecycle.stop()
          // Fastify's close stops accepting, answers new requests on open sockets with 503
          // and resolves once in-flight requests have finished (their audit records written).
          await Promise.all([server.close(), grpc?.close()])
          await lifecycle.idle()
          await samlReload
          saml.stop()
          await saml.idle()
          await stores.close()
          logger.info('tessera stopped')
        })()
        return closing
      },
    }
  }
}

/**
 * The subject-token verifier: every trusted issuer, plus Tessera's own issuer on its in-process
 * key source (identity tokens are exchanged too), accepting the audiences the policies accept.
 */
function buildVerifier(config: CompiledConfig, keys: KeyManager, clock: Clock): Verifier {
  const accepted = config.policies.acceptedAudiences
  return createVerifier({
    issuers: [
      ...config.trustedIssuers,
      {
        issuer: config.issuer.issuerUrl,
        keySource: keys.keySource(),
        algorithms: [config.issuer.algorithm],
      },
    ],
    // With no policy there is no accepted audience, and every request is refused by policy
    // anyway; the issuer URL keeps the verifier valid (it refuses an empty audience list).
    audience: accepted.length > 0 ? accepted : [config.issuer.issuerUrl],
    clock,
  })
}

function trustOf(config: CompiledConfig): string {
  return JSON.stringify([config.trustedIssuers, config.policies.acceptedAudiences])
}

interface KeyLifecycle {
  stop(): void
  /** Resolves when no lifecycle step is running. */
  idle(): Promise<void>
}

/**
 * Runs `keys.ensure()` every min(60 s, prePublishSeconds / 4): often enough that a pending key
 * activates and a retired one is removed close to their due times, and never in parallel with
 * itself. The timer is unref'd: it never keeps the process alive on its own.
 */
function startKeyLifecycle(keys: KeyManager, config: CompiledConfig, logger: Logger): KeyLifecycle {
  const everyMs = Math.min(60, config.issuer.prePublishSeconds / 4) * 1000
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running !== undefined) return
    running = keys
      .ensure()
      .catch((error: unknown) => {
        logger.error({ err: error }, 'key lifecycle step failed')
      })
      .finally(() => {
        running = undefined
      })
  }, everyMs)
  timer.unref()
  return {
    stop: () => clearInterval(timer),
    idle: async () => {
      await running
    },
  }
}

function reportRefused(logger: Logger, source: string, error: unknown): void {
  const fields = isTesseraError(error)
    ? { source, code: error.code, problems: error.problems ?? [], message: error.message }
    : { source, err: error }
  logger.error(fields, 'configuration refused; the running configuration stays')
}

function listenFailure(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code
  const reasons: Record<string, string> = {
    EADDRINUSE: 'the address is in use',
    EADDRNOTAVAIL: 'the address is not on this host',
    EACCES: 'permission denied (ports below 1024 need privileges)',
  }
  const reason = code === undefined ? undefined : reasons[code]
  if (reason === undefined) return error
  const message = `cannot listen on ${host}:${port}: ${reason}`
  return new TesseraError({
    code: 'invalid_config',
    message,
    problems: [{ path: '/server/listen', message }],
    cause: error,
  })
}

function listeningUrl(address: AddressInfo, tls: boolean): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${tls ? 'https' : 'http'}://${host}:${address.port}`
}
