/**
 * @module config — `tessera.yaml`: its schema (assembled from the parts' sections), loading,
 * compiling (every problem at once, frozen result), hot reload and the `tessera init` template.
 * May import the parts' schemas and compile functions (policy, issuer, store) and `@tessera/verify`.
 */

export { type InitTemplateOptions, initTemplate } from './init-template.ts'
export { loadConfig, parseConfig } from './load.ts'
export { type LoadSamlTrustOptions, loadSamlTrust } from './load-saml-trust.ts'
export {
  type SamlTrustRefresher,
  type SamlTrustRefreshOptions,
  type Schedule,
  startSamlTrust,
} from './refresh-saml-trust.ts'
export { type ConfigDocument, configSchema, renderSchemaJson } from './schema.ts'
export type { SamlIdpSettings, SamlSettings } from './sections/compile-saml.ts'
export type { ListenAddress } from './sections/listen-address.ts'
export type { LogLevel } from './sections/telemetry.ts'
export type {
  CompiledConfig,
  ConfigOptions,
  ConfigOverrides,
  ServerSettings,
  TelemetrySettings,
  TrustedIssuer,
} from './types.ts'
export { type ConfigWatcher, type WatchConfigOptions, watchConfig } from './watch.ts'
