import { type DestinationStream, type Level, type Logger, pino } from 'pino'

/** Log levels `telemetry.logLevel` accepts (pino's, plus `silent`). */
export type LogLevel = Level | 'silent'

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Lowest level written (default `info`). */
  readonly level?: LogLevel | string
  /** Where JSON lines go (default: standard output). Tests pass a stream they read. */
  readonly destination?: DestinationStream
}

/**
 * Paths pino replaces with `[redacted]` before a line is written. Messages are built never to
 * hold a token, but a log call that passes a request, a parsed form or an error's context
 * must not leak one either: redaction is the second fence.
 */
export const redactedPaths: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  'subject_token',
  'actor_token',
  'client_secret',
  'token',
  'joinToken',
  '*.subject_token',
  '*.actor_token',
  '*.client_secret',
  '*.token',
  '*.joinToken',
  '*.access_token',
])

/**
 * Creates the process logger: pino JSON lines with token-bearing fields redacted. The logger
 * is passed to the parts that log (server, app), never imported as a singleton.
 *
 * @example
 * ```ts
 * const logger = createLogger({ level: config.telemetry.logLevel })
 * logger.info({ issuer }, 'tessera started')
 * ```
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const settings = {
    level: options.level ?? 'info',
    redact: { paths: [...redactedPaths], censor: '[redacted]' },
    base: { name: 'tessera' },
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination)
}

export type { Logger }
