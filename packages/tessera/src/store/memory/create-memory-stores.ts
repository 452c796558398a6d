import { type Clock, MemoryReplayStore } from '@tessera/verify'
import type { Stores } from '../stores.ts'
import { MemoryAuditSink } from './memory-audit-sink.ts'
import { MemoryJoinTokenStore } from './memory-join-token-store.ts'
import { MemoryKeyStore } from './memory-key-store.ts'

/**
 * Opens the in-memory stores (`store.kind: memory`): real implementations that keep nothing
 * after the process ends, used by tests as fakes and by `tessera up` for demos.
 *
 * @param clock Epoch-seconds clock, used to expire join tokens and replay identifiers.
 */
export function createMemoryStores(clock: Clock): Stores {
  return {
    keys: new MemoryKeyStore(),
    joinTokens: new MemoryJoinTokenStore(clock),
    replay: new MemoryReplayStore({ clock }),
    audit: new MemoryAuditSink(),
    close: async () => {},
  }
}
