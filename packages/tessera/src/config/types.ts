import type { Clock, JwsAlgorithm } from '@tessera/verify'
import type { IssuerSettings, SecretRef } from '../issuer/index.ts'
import type { CompiledPolicySet, Inventory } from '../policy/index.ts'
import type { StoreSettings } from '../store/index.ts'
import type { CloudsSection } from './sections/clouds.ts'
import type { SamlIdpSettings, SamlSettings } from './sections/compile-saml.ts'
import type { ListenAddress } from './sections/listen-address.ts'
import type { LogLevel } from './sections/telemetry.ts'

/** Values that win over the file (CLI flags); applied before the configuration is compiled. */
export interface ConfigOverrides {
  /** Replaces `server.listen` (host:port). */
  readonly listen?: string
  /** Replaces `store.dataDir`; a relative path is taken from the current directory, as a flag is. */
  readonly dataDir?: string
}

/** Options of `parseConfig`, `loadConfig` and `watchConfig`. */
export interface ConfigOptions {
  /**
   * The environment `env:` references are checked against. When given, each reference must
   * name a set, non-empty variable; when absent (`tessera lint` in a CI job without the
   * secrets) references are only checked for their form. Values are never copied.
   */
  readonly env?: NodeJS.ProcessEnv
  readonly overrides?: ConfigOverrides
  /** Epoch-seconds clock for the TLS certificate's validity (default: system clock). */
  readonly clock?: Clock
  /** Directory relative paths in the file are resolved against (default: the file's own). */
  readonly baseDir?: string
  /** Directory a relative `overrides.dataDir` is resolved against (default: `process.cwd()`). */
  readonly cwd?: string
}

/** The `server` section, compiled. */
export interface ServerSettings {
  readonly listen: ListenAddress
  /** Where the gRPC token service listens; absent when `server.grpcListen` is not set. */
  readonly grpcListen?: ListenAddress
  /** The issuer identifier, exactly as written: `iss` of every token Tessera mints. */
  readonly publicUrl: string
  /** PEM contents of the certificate (chain) and key files, when HTTPS is configured. */
  readonly tls?: { readonly cert: string; readonly key: string }
  readonly bodyLimitBytes: number
  readonly requestTimeoutMs: number
}

interface TrustedIssuerBase {
  /** The issuer identifier, compared with `iss` exactly. */
  readonly issuer: string
  /** Algorithms accepted from this issuer (absent: every asymmetric algorithm). */
  readonly algorithms?: readonly JwsAlgorithm[]
}

/**
 * A trusted external issuer with exactly one key source, ready for `createVerifier`'s
 * `issuers`. A `jwksFile` in the file arrives here as `jwks`, read and parsed.
 */
export type TrustedIssuer =
  | (TrustedIssuerBase & { readonly jwks: { readonly keys: readonly unknown[] } })
  | (TrustedIssuerBase & { readonly jwksUri: string })
  | (TrustedIssuerBase & { readonly discovery: true })

/** The `telemetry` section, compiled. */
export interface TelemetrySettings {
  readonly logLevel: LogLevel
}

/** A validated, compiled, deeply frozen `tessera.yaml`: what the runtime accepts. */
export interface CompiledConfig {
  readonly server: ServerSettings
  /** Tessera's own issuer; `issuerUrl` is `server.publicUrl`. */
  readonly issuer: IssuerSettings
  /** Where the key-encryption key is; a `file:` path is absolute (resolved against `store.dataDir`). */
  readonly keyEncryptionKey: SecretRef
  readonly trustedIssuers: readonly TrustedIssuer[]
  /** SAML IdPs; a `file` source's metadata is parsed, a `url` source is fetched at start. */
  readonly samlIdps: readonly SamlIdpSettings[]
  /** Tessera as a SAML service provider; present whenever samlIdps is not empty. */
  readonly saml?: SamlSettings
  readonly inventory: Inventory
  readonly policies: CompiledPolicySet
  /** Cloud wire dialects, as written (each dialect compiles its own part at server start). */
  readonly clouds: CloudsSection
  readonly store: StoreSettings
  readonly telemetry: TelemetrySettings
  /** The file's path, or the label given to `parseConfig`. */
  readonly source: string
}
