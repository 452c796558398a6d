import { fileURLToPath } from 'node:url'
import type { ServiceDefinition } from '@grpc/grpc-js'
import { loadSync, type Options } from '@grpc/proto-loader'

/** Absolute path of `tessera/v1/token_service.proto` (shipped beside `src/`). */
export const tokenServiceProtoPath: string = fileURLToPath(
  new URL('../../../proto/tessera/v1/token_service.proto', import.meta.url),
)

/** Full name of the service in the proto. */
export const tokenServiceName = 'tessera.v1.TokenService'

/**
 * How messages become objects, for the server and for clients in tests: field names as in the
 * proto, 64-bit integers as numbers (seconds never pass 2^53), every field present with its
 * default (an empty string then means absent, as an empty form parameter does in RFC 6749 §3.1).
 */
export const protoLoaderOptions: Options = Object.freeze({
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: false,
})

let loaded: ServiceDefinition | undefined

/** Loads (once) the `tessera.v1.TokenService` definition for `Server.addService` or a client. */
export function tokenServiceDefinition(): ServiceDefinition {
  loaded ??= loadSync(tokenServiceProtoPath, protoLoaderOptions)[
    tokenServiceName
  ] as ServiceDefinition
  return loaded
}
