import type { AuditPage, AuditQuery, AuditRecord, AuditSink } from '../types.ts'

/**
 * A tiny in-memory `AuditSink` fake for the sts tests: keeps every record in order, and can be
 * told to fail so the engine's fail-closed path can be exercised. The store's real sinks run
 * their own contract suite; this one only filters by the query's simple fields.
 */
export class MemoryAudit implements AuditSink {
  readonly records: AuditRecord[] = []
  /** When set, `append` rejects with it (and records nothing). */
  failure: Error | undefined

  async append(record: AuditRecord): Promise<void> {
    if (this.failure !== undefined) throw this.failure
    this.records.push(record)
  }

  async query(query: AuditQuery): Promise<AuditPage> {
    const matches = this.records
      .map((record, index) => ({ ...record, id: String(index) }))
      .filter(
        (r) =>
          (query.decision === undefined || r.decision === query.decision) &&
          (query.kind === undefined || r.kind === query.kind) &&
          (query.code === undefined || r.code === query.code) &&
          (query.policy === undefined || r.policy === query.policy) &&
          (query.correlationId === undefined || r.correlationId === query.correlationId),
      )
      .reverse()
    return { records: matches.slice(0, query.limit ?? 50) }
  }
}
