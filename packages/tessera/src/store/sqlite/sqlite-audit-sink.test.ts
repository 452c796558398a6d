import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import type { AuditRecord } from '../../sts/index.ts'
import { resolveAuditQuery } from '../resolve-audit-query.ts'
import { sampleAuditRecord } from '../testing/audit-sink-suite.ts'
import { createTestClock } from '../testing/store-under-test.ts'
import { migrate } from './migrate.ts'
import { migrations } from './migrations.ts'
import {
  databaseFileName,
  defaultCheckpointIntervalMs,
  openSqliteStores,
} from './open-sqlite-stores.ts'
import { auditPageSql } from './sqlite-audit-sink.ts'

const root = mkdtempSync(join(tmpdir(), 'tessera-audit-sink-'))
after(() => rmSync(root, { recursive: true, force: true }))

const freshDir = (): string => mkdtempSync(join(root, 'd-'))

/** A second, plain connection to the store's file, as another process would open it. */
const rawConnection = (dataDir: string): DatabaseSync =>
  new DatabaseSync(join(dataDir, databaseFileName))

const countRows = (raw: DatabaseSync): number =>
  raw.prepare('SELECT count(*) AS n FROM audit').get()?.n as number

const records = (n: number, from = 0): AuditRecord[] =>
  Array.from({ length: n }, (_, i) =>
    sampleAuditRecord(1_800_000_000_000 + from + i, { correlationId: `c-${from + i}` }),
  )

function isInternalError(messagePart: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    assert.equal(error.code, 'internal_error')
    assert.ok(error.message.includes(messagePart), error.message)
    return true
  }
}

describe('SqliteAuditSink batching', () => {
  it('commits the appends of one event-loop turn together, each resolving once committed', async () => {
    const dataDir = freshDir()
    const stores = await openSqliteStores({ dataDir, clock: createTestClock().now })
    const raw = rawConnection(dataDir)
    try {
      const batch = records(200)
      const seenWhenResolved: number[] = []
      const appended = batch.map((record) =>
        stores.audit.append(record).then(() => {
          seenWhenResolved.push(countRows(raw))
        }),
      )
      // Nothing is written during the turn that appends…
      assert.equal(countRows(raw), 0)
      await Promise.all(appended)
      // …and when the first append resolves, its whole turn is committed, in one transaction.
      assert.deepEqual(new Set(seenWhenResolved), new Set([200]))
      const ids = raw.prepare('SELECT correlation_id FROM audit ORDER BY id').all()
      assert.deepEqual(
        ids.map((row) => row.correlation_id),
        batch.map((record) => record.correlationId),
      )
    } finally {
      raw.close()
      await stores.close()
    }
  })

  it('rejects every append of a batch that fails, and commits the next batch', async () => {
    const dataDir = freshDir()
    const stores = await openSqliteStores({
      dataDir,
      clock: createTestClock().now,
      busyTimeoutMs: 0,
    })
    const raw = rawConnection(dataDir)
    try {
      // Another process holds the write lock: the whole turn's batch fails, nothing is written.
      raw.exec('BEGIN IMMEDIATE')
      const failed = await Promise.allSettled(records(3).map((r) => stores.audit.append(r)))
      raw.exec('ROLLBACK')
      for (const outcome of failed) {
        assert.equal(outcome.status, 'rejected')
        isInternalError('database is locked')((outcome as PromiseRejectedResult).reason)
      }
      const next = records(2, 3)
      await Promise.all(next.map((record) => stores.audit.append(record)))
      const { records: stored } = await stores.audit.query({})
      assert.deepEqual(
        stored.map((record) => record.correlationId),
        ['c-4', 'c-3'],
      )
    } finally {
      raw.close()
      await stores.close()
    }
  })

  it('refuses a record the table cannot hold on its own, without failing its batch', async () => {
    const stores = await openSqliteStores({ dataDir: freshDir(), clock: createTestClock().now })
    try {
      const [first, second] = records(2)
      const bad = [
        { ...first, time: Number.NaN },
        { ...first, correlationId: 42 },
        { ...first, code: null },
        { ...first, issued: { big: 1n } },
      ] as unknown as AuditRecord[]
      const outcomes = await Promise.allSettled([
        stores.audit.append(first as AuditRecord),
        ...bad.map((record) => stores.audit.append(record)),
        stores.audit.append(second as AuditRecord),
      ])
      assert.deepEqual(
        outcomes.map((outcome) => outcome.status),
        ['fulfilled', 'rejected', 'rejected', 'rejected', 'rejected', 'fulfilled'],
      )
      for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
        isInternalError('append the audit record')(outcome.reason)
      }
      assert.equal((await stores.audit.query({})).records.length, 2)
    } finally {
      await stores.close()
    }
  })

  it('commits the pending appends on close before closing', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const stores = await openSqliteStores({ dataDir, clock: clock.now })
    const pending = records(5).map((record) => stores.audit.append(record))
    await stores.close()
    await Promise.all(pending)
    const reopened = await openSqliteStores({ dataDir, clock: clock.now })
    try {
      assert.equal((await reopened.audit.query({})).records.length, 5)
    } finally {
      await reopened.close()
    }
  })
})

describe('SQLite WAL checkpoints', () => {
  it('checkpoints on its timer and on close, never inside a commit', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] })
    const dataDir = freshDir()
    const file = join(dataDir, databaseFileName)
    const stores = await openSqliteStores({ dataDir, clock: createTestClock().now })
    const sizeAtOpen = statSync(file).size
    try {
      // Far past the 1 000 pages at which SQLite would checkpoint inside a commit.
      const big = { message: 'x'.repeat(3000) }
      for (let turn = 0; turn < 40; turn++) {
        const batch = records(50, turn * 50).map((r) => ({ ...r, ...big }))
        await Promise.all(batch.map((record) => stores.audit.append(record)))
      }
      assert.ok(statSync(`${file}-wal`).size > 4096 * 1000, 'the WAL holds the writes')
      assert.equal(statSync(file).size, sizeAtOpen, 'no commit copied pages into the file')

      t.mock.timers.tick(defaultCheckpointIntervalMs - 1)
      assert.equal(statSync(file).size, sizeAtOpen)
      t.mock.timers.tick(1)
      const checkpointed = statSync(file).size
      assert.ok(checkpointed > sizeAtOpen + 4096 * 1000, 'the timer copied the WAL into the file')

      await stores.audit.append(sampleAuditRecord(1, { message: 'y'.repeat(100_000) }))
      assert.equal(statSync(file).size, checkpointed)
    } finally {
      await stores.close()
    }
    assert.ok(statSync(file).size > sizeAtOpen + 4096 * 1000 + 100_000, 'close checkpointed')
  })

  it('takes the interval from checkpointIntervalMs', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] })
    const dataDir = freshDir()
    const file = join(dataDir, databaseFileName)
    const stores = await openSqliteStores({
      dataDir,
      clock: createTestClock().now,
      checkpointIntervalMs: 100,
    })
    try {
      const before = statSync(file).size
      await stores.audit.append(sampleAuditRecord(1, { message: 'z'.repeat(50_000) }))
      t.mock.timers.tick(99)
      assert.equal(statSync(file).size, before)
      t.mock.timers.tick(1)
      assert.ok(statSync(file).size > before + 50_000)
    } finally {
      await stores.close()
    }
  })
})

describe('audit schema version 2', () => {
  it('rebuilds a version 1 audit table keeping every row and id; new ids continue after them', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const v1 = new DatabaseSync(join(dataDir, databaseFileName))
    migrate(v1, migrations.slice(0, 1), clock.now)
    const insert = v1.prepare(
      `INSERT INTO audit (time, correlation_id, kind, decision, code, policy, json)
       VALUES (?, ?, 'exchange', ?, ?, ?, ?)`,
    )
    const old = [
      sampleAuditRecord(1_800_000_000_000, { correlationId: 'old-1', policy: 'p' }),
      sampleAuditRecord(1_800_000_000_001, {
        correlationId: 'old-2',
        decision: 'deny',
        code: 'expired',
      }),
    ]
    for (const r of old) {
      insert.run(
        r.time,
        r.correlationId,
        r.decision,
        r.code ?? null,
        r.policy ?? null,
        JSON.stringify(r),
      )
    }
    v1.close()

    const stores = await openSqliteStores({ dataDir, clock: clock.now })
    try {
      await stores.audit.append(sampleAuditRecord(1_800_000_000_002, { correlationId: 'new' }))
      const { records: stored } = await stores.audit.query({})
      assert.deepEqual(
        stored.map((r) => [r.id, r.correlationId]),
        [
          ['3', 'new'],
          ['2', 'old-2'],
          ['1', 'old-1'],
        ],
      )
      assert.deepEqual(
        (await stores.audit.query({ code: 'expired' })).records.map((r) => r.correlationId),
        ['old-2'],
      )
    } finally {
      await stores.close()
    }
    const raw = rawConnection(dataDir)
    try {
      const table = raw.prepare("SELECT sql FROM sqlite_master WHERE name = 'audit'").get()
      assert.doesNotMatch(String(table?.sql), /AUTOINCREMENT/)
      const indexes = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'")
        .all()
        .map((row) => row.name)
        .sort()
      assert.deepEqual(indexes, [
        'audit_code',
        'audit_correlation_id',
        'audit_denials',
        'audit_policy',
      ])
    } finally {
      raw.close()
    }
  })

  it('serves each indexed filter from its index, newest first, without a sort', async () => {
    const dataDir = freshDir()
    await (await openSqliteStores({ dataDir, clock: createTestClock().now })).close()
    const raw = rawConnection(dataDir)
    const plan = (query: Parameters<typeof resolveAuditQuery>[0]): string => {
      const { sql, params } = auditPageSql(resolveAuditQuery(query))
      return raw
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...params)
        .map((row) => String(row.detail))
        .join(' | ')
    }
    try {
      const cases: [Parameters<typeof resolveAuditQuery>[0], string][] = [
        [{}, 'USING INTEGER PRIMARY KEY'],
        [{ correlationId: 'c' }, 'USING INDEX audit_correlation_id'],
        [{ code: 'expired' }, 'USING INDEX audit_code'],
        [{ decision: 'deny' }, 'USING INDEX audit_denials'],
        [{ policy: 'p' }, 'USING INDEX audit_policy'],
        // The most selective filter drives: never every denial to find one correlation id.
        [{ correlationId: 'c', decision: 'deny', policy: 'p' }, 'USING INDEX audit_correlation_id'],
        [{ code: 'expired', decision: 'deny', policy: 'p' }, 'USING INDEX audit_code'],
        [{ decision: 'deny', policy: 'p', kind: 'exchange' }, 'USING INDEX audit_denials'],
        [{ decision: 'allow', kind: 'identity', since: 1 }, 'USING INTEGER PRIMARY KEY'],
      ]
      for (const [query, want] of cases) {
        const got = plan(query)
        assert.ok(got.includes(want), `${JSON.stringify(query)}: ${got}`)
        assert.ok(!got.includes('TEMP B-TREE'), `${JSON.stringify(query)} sorts: ${got}`)
      }
    } finally {
      raw.close()
    }
  })
})
