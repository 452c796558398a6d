import type { Clock, ReplayStore } from '@tessera/verify'
import type { CompiledConfig } from '../../config/index.ts'
import type { KeyManager } from '../../issuer/index.ts'
import type { AuditSink, ExchangeEngine } from '../../sts/index.ts'
import type { Logger } from '../../telemetry/index.ts'

/** What the HTTP server is built from; every part is passed in (CONVENTIONS §4.3). */
export interface ServerDeps {
  /**
   * The running configuration. Read on every request, so a hot reload is seen at once; the
   * transport settings (listen, TLS, body limit, timeouts) are read once when the server is built.
   */
  readonly config: () => CompiledConfig
  readonly engine: ExchangeEngine
  readonly keys: KeyManager
  readonly audit: AuditSink
  readonly logger: Logger
  /** False while starting and once closing; `/readyz` answers 503 then. */
  readonly ready: () => boolean
  /**
   * DPoP proofs at the token endpoint (RFC 9449 §5): where proof `jti`s are remembered and
   * the clock their `iat` is judged by. Absent: a memory store and the system clock.
   */
  readonly dpop?: { readonly replay: ReplayStore; readonly clock: Clock }
}
