import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { AuditPage, AuditQuery, AuditRecord, AuditSink } from '../../sts/index.ts'
import { encodeAuditCursor } from '../audit-cursor.ts'
import { type ResolvedAuditQuery, resolveAuditQuery } from '../resolve-audit-query.ts'
import { storeFailure } from './store-failure.ts'

/** The filters of a query, each a column and the value it must equal (or, for time, reach). */
const filters = [
  ['decision', 'decision = ?'],
  ['kind', 'kind = ?'],
  ['code', 'code = ?'],
  ['policy', 'policy = ?'],
  ['correlationId', 'correlation_id = ?'],
  ['since', 'time >= ?'],
] as const satisfies readonly (readonly [keyof ResolvedAuditQuery, string])[]

/**
 * `AuditSink` on the `audit` table: the filterable fields as indexed columns, the whole record
 * as JSON. The row id is the record id and, encoded, the page cursor: ids only grow, so paging
 * by `id < cursor` neither skips nor repeats a record while new ones are appended.
 *
 * Durability: `append` resolves once the insert has committed. With WAL and
 * `synchronous=NORMAL` a committed record survives a crash of the process; a power loss may
 * drop the last transactions before the next checkpoint (SQLite's documented trade-off).
 */
export class SqliteAuditSink implements AuditSink {
  readonly #db: DatabaseSync
  readonly #insert: StatementSync
  /** One prepared statement per combination of filters (at most 2^6), made on first use. */
  readonly #queries = new Map<string, StatementSync>()

  constructor(db: DatabaseSync) {
    this.#db = db
    this.#insert = db.prepare(
      `INSERT INTO audit (time, correlation_id, kind, decision, code, policy, json)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
  }

  async append(record: AuditRecord): Promise<void> {
    try {
      this.#insert.run(
        // The column is an integer for the index; the exact value stays in the JSON.
        Math.floor(record.time),
        record.correlationId,
        record.kind,
        record.decision,
        record.code ?? null,
        record.policy ?? null,
        JSON.stringify(record),
      )
    } catch (error) {
      throw storeFailure('append the audit record', error)
    }
  }

  /** @throws {TesseraError} `invalid_request` for a bad limit, cursor or filter. */
  async query(query: AuditQuery): Promise<AuditPage> {
    const q = resolveAuditQuery(query)
    const used = filters.filter(([name]) => q[name] !== undefined)
    const params = used.map(([name]) => q[name] as string | number)
    let rows: Record<string, unknown>[]
    try {
      // One extra row tells whether an older page exists without returning an empty last page.
      rows = this.#statement(used.map(([, sql]) => sql)).all(
        ...params,
        q.beforeId ?? Number.MAX_SAFE_INTEGER,
        q.limit + 1,
      )
    } catch (error) {
      throw storeFailure('query the audit log', error)
    }
    const page = rows.slice(0, q.limit).map((row) => ({ ...parseRecord(row), id: String(row.id) }))
    const last = rows[q.limit - 1]
    return rows.length > q.limit && last !== undefined
      ? { records: page, next: encodeAuditCursor(Number(last.id)) }
      : { records: page }
  }

  #statement(conditions: readonly string[]): StatementSync {
    const sql = `SELECT id, json FROM audit WHERE ${[...conditions, 'id < ?'].join(' AND ')}
                 ORDER BY id DESC LIMIT ?`
    let statement = this.#queries.get(sql)
    if (statement === undefined) {
      statement = this.#db.prepare(sql)
      this.#queries.set(sql, statement)
    }
    return statement
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
