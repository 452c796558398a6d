import { Server, ServerCredentials } from '@grpc/grpc-js'
import { TesseraError } from '@tessera/verify'
import type { ListenAddress } from '../../config/index.ts'
import type { ExchangeEngine } from '../../sts/index.ts'
import type { Logger } from '../../telemetry/index.ts'
import { createTokenService } from './token-service.ts'
import { tokenServiceDefinition } from './token-service-definition.ts'

/** Largest request message accepted, in bytes: the tokens of one exchange fit many times over. */
export const maxGrpcMessageBytes = 64 * 1024

// Metadata (headers) bound, the same as the HTTP server's header limit.
const maxMetadataBytes = 16 * 1024

// How long a graceful close waits for in-flight calls before cancelling them.
const closeGraceMs = 10_000

/** Options of `startGrpcServer`. */
export interface GrpcServerOptions {
  readonly engine: ExchangeEngine
  readonly listen: ListenAddress
  /** PEM certificate (chain) and key: serve over TLS (the HTTP server's, when it has one). */
  readonly tls?: { readonly cert: string; readonly key: string }
  readonly logger: Logger
  /** Epoch milliseconds, for deadlines (default `Date.now`). */
  readonly nowMs?: () => number
}

/** A listening gRPC server. */
export interface RunningGrpcServer {
  /** `host:port` it is bound to (the bound port when 0 was asked; IPv6 in brackets). */
  readonly address: string
  readonly port: number
  /**
   * Graceful stop: no new calls; in-flight calls finish (cancelled after 10 s). Idempotent.
   */
  close(): Promise<void>
}

/**
 * Starts `tessera.v1.TokenService` on `listen`, over the same exchange engine as the HTTP
 * token endpoint. Requests over 64 KiB are refused by grpc-js with RESOURCE_EXHAUSTED before
 * they are decoded; metadata is bounded at 16 KiB.
 *
 * @throws {TesseraError} `invalid_config` when the address cannot be bound
 * @example
 * ```ts
 * const grpc = await startGrpcServer({ engine, listen: { host: '127.0.0.1', port: 50051 }, logger })
 * process.once('SIGTERM', () => grpc.close())
 * ```
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': maxGrpcMessageBytes,
    'grpc.max_send_message_length': maxGrpcMessageBytes,
    'grpc.max_metadata_size': maxMetadataBytes,
  })
  server.addService(
    tokenServiceDefinition(),
    createTokenService({
      engine: options.engine,
      logger: options.logger,
      ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
    }),
  )
  const credentials =
    options.tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(
          null,
          [
            {
              cert_chain: Buffer.from(options.tls.cert),
              private_key: Buffer.from(options.tls.key),
            },
          ],
          false,
        )
  const { host } = options.listen
  const shownHost = host.includes(':') ? `[${host}]` : host
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${shownHost}:${options.listen.port}`, credentials, (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    )
  }).catch((error: unknown) => {
    server.forceShutdown()
    const message = `cannot listen for gRPC on ${shownHost}:${options.listen.port}: ${(error as Error).message}`
    throw new TesseraError({
      code: 'invalid_config',
      message,
      problems: [{ path: '/server/grpcListen', message }],
      cause: error,
    })
  })
  let closing: Promise<void> | undefined
  return {
    address: `${shownHost}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), closeGraceMs)
        force.unref()
        server.tryShutdown(() => {
          clearTimeout(force)
          resolve()
        })
      })
      return closing
    },
  }
}
