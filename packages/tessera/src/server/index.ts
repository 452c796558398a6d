/**
 * @module server — the HTTP and gRPC transports over the parts: Fastify app, routes, error rendering,
 * health. A composition root: it may import every part (through each part's index.ts).
 */

export {
  type GrpcServerOptions,
  maxGrpcMessageBytes,
  type RunningGrpcServer,
  startGrpcServer,
} from './grpc/start-grpc-server.ts'
export {
  tokenServiceDefinition,
  tokenServiceName,
  tokenServiceProtoPath,
} from './grpc/token-service-definition.ts'
export { buildServer, maxHeaderBytes } from './http/build-server.ts'
export type { ErrorBody } from './http/error-body.ts'
export type { ServerDeps } from './http/server-deps.ts'
