import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { AuditPage, AuditQuery, AuditRecord, AuditSink } from '../../sts/index.ts'
import { encodeAuditCursor } from '../audit-cursor.ts'
import { type ResolvedAuditQuery, resolveAuditQuery } from '../resolve-audit-query.ts'
import { storeFailure } from './store-failure.ts'

/**
 * The SQL and parameters of one page of `q`: newest first, one extra row (which tells whether
 * an older page exists without returning an empty last page).
 *
 * Indexed filters, most selective first: correlation id, code, `decision = 'deny'`, policy
 * (migration 2). Only the first one present may use its index; the others are written with a
 * unary `+`, SQLite's documented way to keep a term off an index, because without statistics
 * the planner may otherwise walk every denial to find one correlation id. With none present,
 * the query walks ids newest first and stops at the page's end.
 */
export function auditPageSql(q: ResolvedAuditQuery): {
  readonly sql: string
  readonly params: readonly (string | number)[]
} {
  const conditions: string[] = []
  const params: (string | number)[] = []
  let indexed = false
  const column = (name: string): string => {
    if (indexed) return `+${name}`
    indexed = true
    return name
  }
  if (q.correlationId !== undefined) {
    conditions.push(`${column('correlation_id')} = ?`)
    params.push(q.correlationId)
  }
  if (q.code !== undefined) {
    conditions.push(`${column('code')} = ?`)
    params.push(q.code)
  }
  // Literals (the value is checked to be allow or deny), so the planner can match the partial
  // index of denials.
  if (q.decision === 'deny') conditions.push(`${column('decision')} = 'deny'`)
  if (q.decision === 'allow') conditions.push(`decision = 'allow'`)
  if (q.policy !== undefined) {
    conditions.push(`${column('policy')} = ?`)
    params.push(q.policy)
  }
  if (q.kind !== undefined) {
    conditions.push('kind = ?')
    params.push(q.kind)
  }
  if (q.since !== undefined) {
    conditions.push('time >= ?')
    params.push(q.since)
  }
  conditions.push('id < ?')
  params.push(q.beforeId ?? Number.MAX_SAFE_INTEGER, q.limit + 1)
  return {
    sql: `SELECT id, json FROM audit WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT ?`,
    params,
  }
}

/** One appended record waiting for its batch to commit. */
interface PendingAppend {
  /** The bound values of its row, fixed at append time (the caller may change the record). */
  readonly row: readonly (string | number | null)[]
  readonly resolve: () => void
  readonly reject: (error: unknown) => void
}

/**
 * `AuditSink` on the `audit` table: the filterable fields as indexed columns, the whole record
 * as JSON. The row id is the record id and, encoded, the page cursor: ids only grow, so paging
 * by `id < cursor` neither skips nor repeats a record while new ones are appended.
 *
 * Appends are grouped: every record appended during one turn of the event loop is inserted in
 * one transaction, committed from a `setImmediate` callback. A commit costs the same whether it
 * carries one row or ten (the WAL frames of the table and index pages it touched), so under
 * concurrent requests this divides the cost of the audit log by the batch size. `setImmediate`
 * rather than `queueMicrotask`: concurrent requests arrive as separate I/O callbacks, with the
 * microtask queue drained between them, so a microtask would commit each request alone, while
 * the check phase runs once after all of the poll phase's callbacks. A request waits at most
 * until the end of the current turn, which it would spend in the event loop anyway.
 *
 * Durability is unchanged: `append` resolves only once its record's transaction has committed
 * (with WAL and `synchronous=NORMAL` a committed record survives a crash of the process; a
 * power loss may drop the last transactions before the next checkpoint, SQLite's documented
 * trade-off). Rows are inserted in append order, so ids follow it. If a batch fails (the file
 * locked by another process past the busy timeout, disk full, closed), it is rolled back and
 * every append in it rejects; the next batch starts afresh.
 */
export class SqliteAuditSink implements AuditSink {
  readonly #db: DatabaseSync
  readonly #insert: StatementSync
  readonly #begin: StatementSync
  readonly #commit: StatementSync
  /** One prepared statement per combination of filters (at most 3 × 2^5), made on first use. */
  readonly #queries = new Map<string, StatementSync>()
  #pending: PendingAppend[] = []
  #scheduled: NodeJS.Immediate | undefined

  constructor(db: DatabaseSync) {
    this.#db = db
    this.#insert = db.prepare(
      `INSERT INTO audit (time, correlation_id, kind, decision, code, policy, json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    // IMMEDIATE takes the write lock at BEGIN (waiting up to the busy timeout), as migrate does.
    this.#begin = db.prepare('BEGIN IMMEDIATE')
    this.#commit = db.prepare('COMMIT')
  }

  append(record: AuditRecord): Promise<void> {
    let row: PendingAppend['row']
    try {
      // Refused alone here rather than by the STRICT table inside the batch, where one bad
      // record would take every other record of its turn down with it.
      checkColumns(record)
      row = [
        // The column is an integer for the index; the exact value stays in the JSON.
        Math.floor(record.time),
        record.correlationId,
        record.kind,
        record.decision,
        record.code ?? null,
        record.policy ?? null,
        JSON.stringify(record),
      ]
    } catch (error) {
      return Promise.reject(storeFailure('append the audit record', error))
    }
    return new Promise((resolve, reject) => {
      this.#pending.push({ row, resolve, reject })
      this.#scheduled ??= setImmediate(() => this.flush())
    })
  }

  /**
   * Commits the records appended so far in one transaction, now, and settles their promises.
   * Called at the end of each event-loop turn, and by the stores' `close` before the database
   * is closed, so no appended record is lost to a shutdown.
   */
  flush(): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled)
    this.#scheduled = undefined
    const batch = this.#pending
    if (batch.length === 0) return
    this.#pending = []
    try {
      this.#begin.run()
      for (const { row } of batch) this.#insert.run(...row)
      this.#commit.run()
    } catch (error) {
      try {
        if (this.#db.isOpen && this.#db.isTransaction) this.#db.exec('ROLLBACK')
      } catch {
        // The rollback's own failure changes nothing for the callers: the batch is refused.
      }
      const failure = storeFailure('append the audit record', error)
      for (const append of batch) append.reject(failure)
      return
    }
    for (const append of batch) append.resolve()
  }

  /** @throws {TesseraError} `invalid_request` for a bad limit, cursor or filter. */
  async query(query: AuditQuery): Promise<AuditPage> {
    const q = resolveAuditQuery(query)
    const { sql, params } = auditPageSql(q)
    let rows: Record<string, unknown>[]
    try {
      rows = this.#statement(sql).all(...params)
    } catch (error) {
      throw storeFailure('query the audit log', error)
    }
    const page = rows.slice(0, q.limit).map((row) => ({ ...parseRecord(row), id: String(row.id) }))
    const last = rows[q.limit - 1]
    return rows.length > q.limit && last !== undefined
      ? { records: page, next: encodeAuditCursor(Number(last.id)) }
      : { records: page }
  }

  #statement(sql: string): StatementSync {
    let statement = this.#queries.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#queries.set(sql, statement)
    }
    return statement
  }
}

function checkColumns(record: AuditRecord): void {
  const { time, correlationId, kind, decision, code, policy } = record
  const text = [correlationId, kind, decision]
  const optional = [code, policy]
  if (
    !Number.isFinite(time) ||
    !text.every((value) => typeof value === 'string') ||
    !optional.every((value) => value === undefined || typeof value === 'string')
  ) {
    throw new Error(
      'the record needs a finite time and string correlationId, kind, decision, code and policy',
    )
  }
}

function parseRecord(row: Record<string, unknown>): AuditRecord {
  try {
    const record = JSON.parse(String(row.json)) as unknown
    if (typeof record !== 'object' || record === null)
      throw new Error('the record is not an object')
    return record as AuditRecord
  } catch (error) {
    throw storeFailure(`read audit record ${String(row.id)}`, error)
  }
}
