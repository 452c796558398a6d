import { type Static, Type } from 'typebox'

/** The defaults of the `server` section. */
export const serverDefaults = Object.freeze({
  listen: '127.0.0.1:8080',
  bodyLimitBytes: 65_536,
  requestTimeoutMs: 10_000,
} as const)

/**
 * JSON Schema (TypeBox) of the `server` section: where Tessera listens and the public URL
 * that is its issuer identifier. `listen` and `publicUrl` are checked beyond the schema by
 * `parseListenAddress` and `checkPublicUrl`.
 */
export const serverSectionSchema = Type.Object(
  {
    listen: Type.Optional(
      Type.String({
        minLength: 1,
        default: serverDefaults.listen,
        description:
          'Address the HTTP server binds, host:port ([::1]:8080 for IPv6). Loopback by default; 0.0.0.0:8080 listens on every interface.',
      }),
    ),
    grpcListen: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'Address the gRPC token service (tessera.v1.TokenService) binds, host:port; absent: no gRPC server. Write a loopback address (127.0.0.1:50051) unless other hosts must reach it. Uses the tls certificate when one is set.',
      }),
    ),
    publicUrl: Type.String({
      minLength: 1,
      description:
        'The URL clients reach Tessera at, used exactly as the issuer (iss) of every token and in the discovery document: an absolute http(s) URL without query, fragment or trailing slash.',
    }),
    tls: Type.Optional(
      Type.Object(
        {
          certFile: Type.String({
            minLength: 1,
            description:
              'PEM certificate (chain) file, relative to this file. Read at load and on every reload.',
          }),
          keyFile: Type.String({
            minLength: 1,
            description: 'PEM private key file of the certificate, relative to this file.',
          }),
        },
        {
          additionalProperties: false,
          description: 'Serve HTTPS with this certificate and key (files, never inline).',
        },
      ),
    ),
    bodyLimitBytes: Type.Optional(
      Type.Integer({
        minimum: 1_024,
        maximum: 16_777_216,
        default: serverDefaults.bodyLimitBytes,
        description: 'Largest request body accepted, in bytes.',
      }),
    ),
    requestTimeoutMs: Type.Optional(
      Type.Integer({
        minimum: 100,
        maximum: 600_000,
        default: serverDefaults.requestTimeoutMs,
        description:
          'Longest time a request may take before it is answered with an error, in milliseconds.',
      }),
    ),
  },
  { additionalProperties: false, description: 'The HTTP server and its public URL.' },
)

/** The `server` section as written in `tessera.yaml`. */
export type ServerSection = Static<typeof serverSectionSchema>
