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
  'req.headers.dpop',
  'headers.dpop',
  '*.headers.dpop',
  // The other dialects' credential fields: JWT client auth, Google's camelCase JSON body, AWS
  // STS parameters and the credentials it answers with.
  ...[
    'access_token',
    'client_assertion',
    'subjectToken',
    'actorToken',
    'WebIdentityToken',
    'SAMLAssertion',
    'SecretAccessKey',
    'SessionToken',
  ].flatMap((field) => [field, `*.${field}`]),
])

/** What Fastify's request log line shows of a request (its own serializer's fields). */
interface RequestLine {
  readonly method?: string
  readonly url?: string
  readonly host?: string
  readonly ip?: string
  readonly socket?: { readonly remotePort?: number }
  readonly raw?: unknown
}

/**
 * Serializes a Fastify request as Fastify does, but with the path only: a query string may
 * carry a token a client put there (`?WebIdentityToken=`, `?subject_token=`, the AWS query
 * API sent as GET), and the request line is logged before any route refuses it. A value that
 * is not a Fastify request (a caller's own `req` field) is left to the redaction paths.
 */
export function serializeRequest(req: unknown): unknown {
  if (typeof req !== 'object' || req === null || !('raw' in req)) return req
  const line = req as RequestLine
  const query = line.url?.indexOf('?') ?? -1
  return {
    method: line.method,
    url: query === -1 ? line.url : `${line.url?.slice(0, query)}?[query omitted]`,
    host: line.host,
    remoteAddress: line.ip,
    remotePort: line.socket?.remotePort,
  }
}

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
    serializers: { req: serializeRequest },
    base: { name: 'tessera' },
  }
  return options.destination === undefined ? pino(settings) : pino(settings, options.destination)
}

export type { Logger }
