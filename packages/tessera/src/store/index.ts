/**
 * @module store — implementations of the parts' storage interfaces (issuer's `KeyStore` and
 * `JoinTokenStore`, sts's `AuditSink`, verify's `ReplayStore`) in memory and on SQLite. May
 * import any part below it; nothing imports store except the composition roots.
 */

export { createMemoryStores } from './memory/create-memory-stores.ts'
export { type StoreSection, type StoreSettings, storeSectionSchema } from './schema.ts'
export { openSqliteStores, type SqliteStoresOptions } from './sqlite/open-sqlite-stores.ts'
export type { Stores } from './stores.ts'
