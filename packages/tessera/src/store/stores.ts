import type { ReplayStore } from '@tessera/verify'
import type { JoinTokenStore, KeyStore } from '../issuer/index.ts'
import type { AuditSink } from '../sts/index.ts'

/** Every store the server and the CLI need, opened together and closed together. */
export interface Stores {
  readonly keys: KeyStore
  readonly joinTokens: JoinTokenStore
  readonly replay: ReplayStore
  readonly audit: AuditSink
  /** Flushes and releases the stores (for SQLite: checkpoint and close the file); idempotent. */
  close(): Promise<void>
}
