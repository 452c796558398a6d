import { TesseraError } from '@tessera/verify'
import type { AuditPage, AuditQuery, AuditRecord, AuditSink } from '../../sts/index.ts'
import { encodeAuditCursor } from '../audit-cursor.ts'
import { type ResolvedAuditQuery, resolveAuditQuery } from '../resolve-audit-query.ts'

/** Options of `MemoryAuditSink`. */
export interface MemoryAuditSinkOptions {
  /**
   * Records kept (default 100 000). Once an eighth more have arrived, the oldest are dropped
   * down to this number in one batch, so that a full log does not move every row per append.
   */
  readonly maxRecords?: number
}

interface Row {
  readonly id: number
  readonly record: AuditRecord
}

/**
 * An `AuditSink` in an array, newest last. Ids grow with each append, which is what makes
 * cursor paging exact. Unlike SQLite it is bounded: a memory store runs inside the server, so
 * an unbounded log would grow until the process dies.
 */
export class MemoryAuditSink implements AuditSink {
  readonly #rows: Row[] = []
  readonly #maxRecords: number
  #lastId = 0

  /** @throws {TesseraError} `invalid_options` when `maxRecords` is not a positive integer. */
  constructor(options: MemoryAuditSinkOptions = {}) {
    const maxRecords = options.maxRecords ?? 100_000
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new TesseraError({
        code: 'invalid_options',
        message: 'MemoryAuditSink options are invalid',
        problems: [{ path: 'maxRecords', message: 'must be a positive integer' }],
      })
    }
    this.#maxRecords = maxRecords
  }

  /** Number of records held. */
  get size(): number {
    return this.#rows.length
  }

  async append(record: AuditRecord): Promise<void> {
    this.#lastId += 1
    this.#rows.push({ id: this.#lastId, record: structuredClone(record) })
    if (this.#rows.length > this.#maxRecords + Math.ceil(this.#maxRecords / 8))
      this.#rows.splice(0, this.#rows.length - this.#maxRecords)
  }

  /** @throws {TesseraError} `invalid_request` for a bad limit, cursor or filter. */
  async query(query: AuditQuery): Promise<AuditPage> {
    const q = resolveAuditQuery(query)
    const found: Row[] = []
    // One extra match tells whether an older page exists without returning an empty last page.
    const start = q.beforeId === undefined ? this.#rows.length : this.#indexOf(q.beforeId)
    for (let i = start - 1; i >= 0 && found.length <= q.limit; i -= 1) {
      const row = this.#rows[i] as Row
      if (matches(row.record, q)) found.push(row)
    }
    const page = found.slice(0, q.limit)
    const records = page.map((row) => ({ ...structuredClone(row.record), id: String(row.id) }))
    const last = page.at(-1)
    return found.length > q.limit && last !== undefined
      ? { records, next: encodeAuditCursor(last.id) }
      : { records }
  }

  /** Index of the first row whose id is `id` or higher (rows are sorted by id). */
  #indexOf(id: number): number {
    let low = 0
    let high = this.#rows.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if ((this.#rows[mid] as Row).id < id) low = mid + 1
      else high = mid
    }
    return low
  }
}

function matches(record: AuditRecord, q: ResolvedAuditQuery): boolean {
  return (
    (q.decision === undefined || record.decision === q.decision) &&
    (q.kind === undefined || record.kind === q.kind) &&
    (q.code === undefined || record.code === q.code) &&
    (q.policy === undefined || record.policy === q.policy) &&
    (q.correlationId === undefined || record.correlationId === q.correlationId) &&
    (q.since === undefined || record.time >= q.since)
  )
}
