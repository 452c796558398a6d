import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import type { Stores } from '../stores.ts'
import { runAuditSinkSuite, sampleAuditRecord } from '../testing/audit-sink-suite.ts'
import { runJoinTokenStoreSuite, sampleJoinToken } from '../testing/join-token-store-suite.ts'
import { runKeyStoreSuite, sampleSigningKey } from '../testing/key-store-suite.ts'
import { runReplayStoreSuite } from '../testing/replay-store-suite.ts'
import { createTestClock, type StoreFactory } from '../testing/store-under-test.ts'
import { migrations } from './migrations.ts'
import { databaseFileName, openSqliteStores } from './open-sqlite-stores.ts'

const root = mkdtempSync(join(tmpdir(), 'tessera-sqlite-'))
after(() => rmSync(root, { recursive: true, force: true }))

/** A fresh, empty directory under the test root. */
function freshDir(): string {
  return mkdtempSync(join(root, 'd-'))
}

/** A factory for one store out of `openSqliteStores` on a fresh directory. */
function sqlite<K extends keyof Omit<Stores, 'close'>>(name: K): StoreFactory<Stores[K]> {
  return async () => {
    const clock = createTestClock()
    const stores = await openSqliteStores({ dataDir: freshDir(), clock: clock.now })
    return { store: stores[name], clock, close: () => stores.close() }
  }
}

runKeyStoreSuite('sqlite', sqlite('keys'))
runJoinTokenStoreSuite('sqlite', sqlite('joinTokens'))
runReplayStoreSuite('sqlite', sqlite('replay'))
runAuditSinkSuite('sqlite', sqlite('audit'))

/** A second, plain connection to the store's file, as another tool would open it. */
function rawConnection(dataDir: string): DatabaseSync {
  return new DatabaseSync(join(dataDir, databaseFileName))
}

function isInternalError(messagePart: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TesseraError, `expected a TesseraError, got ${String(error)}`)
    assert.equal(error.code, 'internal_error')
    assert.ok(error.message.includes(messagePart), error.message)
    return true
  }
}

describe('openSqliteStores', () => {
  it('creates the data directory with mode 0700 and tessera.db in WAL mode', async () => {
    const dataDir = join(freshDir(), 'nested', 'data')
    const stores = await openSqliteStores({ dataDir, clock: createTestClock().now })
    try {
      assert.equal(statSync(dataDir).mode & 0o777, 0o700)
      assert.ok(existsSync(join(dataDir, 'tessera.db')))
      const raw = rawConnection(dataDir)
      assert.deepEqual({ ...raw.prepare('PRAGMA journal_mode').get() }, { journal_mode: 'wal' })
      raw.close()
    } finally {
      await stores.close()
    }
  })

  it('keeps every store across close and reopen, migrating only once', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const key = sampleSigningKey('k1', clock.now())
    const token = sampleJoinToken('a', clock.now())
    const record = sampleAuditRecord(1_800_000_000_000)

    const before = await openSqliteStores({ dataDir, clock: clock.now })
    await before.keys.put(key)
    await before.joinTokens.create(token)
    assert.equal(before.replay.use('jti', clock.now() + 300), true)
    await before.audit.append(record)
    await before.close()

    const reopened = await openSqliteStores({ dataDir, clock: clock.now })
    try {
      assert.deepEqual(await reopened.keys.list(), [key])
      assert.deepEqual(await reopened.joinTokens.consume(token.tokenHash, clock.now()), token)
      assert.equal(reopened.replay.use('jti', clock.now() + 300), false)
      const { records } = await reopened.audit.query({})
      assert.deepEqual(
        records.map(({ id: _id, ...rest }) => rest),
        [record],
      )
    } finally {
      await reopened.close()
    }
    const raw = rawConnection(dataDir)
    const applied = raw.prepare('SELECT version FROM schema_version ORDER BY version').all()
    assert.deepEqual(
      applied.map((row) => row.version),
      migrations.map((step) => step.version),
    )
    raw.close()
  })

  it('lets a server and a CLI process share one file (two opens of one directory)', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const server = await openSqliteStores({ dataDir, clock: clock.now })
    const cli = await openSqliteStores({ dataDir, clock: clock.now })
    try {
      // `tessera keys rotate` writes a key the server then lists.
      const key = sampleSigningKey('rotated', clock.now())
      await cli.keys.put(key)
      assert.deepEqual(await server.keys.list(), [key])
      await server.keys.delete('rotated')
      assert.deepEqual(await cli.keys.list(), [])

      // `tessera join-token create` writes a token the server redeems exactly once.
      const token = sampleJoinToken('joined', clock.now())
      await cli.joinTokens.create(token)
      const redeemed = await Promise.all([
        server.joinTokens.consume(token.tokenHash, clock.now()),
        cli.joinTokens.consume(token.tokenHash, clock.now()),
        server.joinTokens.consume(token.tokenHash, clock.now()),
      ])
      assert.deepEqual(
        redeemed.filter((r) => r !== undefined),
        [token],
      )

      // A jti seen by one connection is refused by the other.
      assert.equal(server.replay.use('iss\u0000jti', clock.now() + 300), true)
      assert.equal(cli.replay.use('iss\u0000jti', clock.now() + 300), false)

      // Both append; each sees both records, under distinct ids, newest first.
      await server.audit.append(sampleAuditRecord(1, { correlationId: 'server' }))
      await cli.audit.append(sampleAuditRecord(2, { correlationId: 'cli' }))
      const page = await server.audit.query({})
      assert.deepEqual(
        page.records.map((r) => r.correlationId),
        ['cli', 'server'],
      )
      assert.deepEqual(await cli.audit.query({}), page)
    } finally {
      await server.close()
      await cli.close()
    }
  })

  it('creates one file from four threads at once, then accepts a jti exactly once', async () => {
    const dataDir = freshDir()
    const accepted = await raceReplayInWorkers(dataDir, 4, 25)
    assert.equal(accepted, 1)
    // Every thread migrated the same new file; each step was applied once.
    const raw = rawConnection(dataDir)
    const applied = raw.prepare('SELECT version FROM schema_version ORDER BY version').all()
    raw.close()
    assert.deepEqual(
      applied.map((row) => row.version),
      migrations.map((step) => step.version),
    )
  })

  it('refuses a file that is not a database with internal_error, keeping the cause', async () => {
    const dataDir = freshDir()
    writeFileSync(join(dataDir, databaseFileName), 'this is not a database, just text'.repeat(200))
    await assert.rejects(openSqliteStores({ dataDir, clock: createTestClock().now }), (error) => {
      isInternalError(`could not open ${JSON.stringify(join(dataDir, databaseFileName))}`)(error)
      assert.ok((error as TesseraError).cause instanceof Error)
      return true
    })
  })

  it('refuses a data directory that is a file with internal_error', async () => {
    const dataDir = join(freshDir(), 'file')
    writeFileSync(dataDir, '')
    await assert.rejects(
      openSqliteStores({ dataDir, clock: createTestClock().now }),
      isInternalError(`could not create the data directory ${JSON.stringify(dataDir)}`),
    )
  })

  it('refuses a database whose schema is newer than this Tessera, leaving it untouched', async () => {
    const dataDir = freshDir()
    await (await openSqliteStores({ dataDir, clock: createTestClock().now })).close()
    const raw = rawConnection(dataDir)
    raw.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(99, 1)
    raw.close()
    await assert.rejects(openSqliteStores({ dataDir, clock: createTestClock().now }), (error) => {
      assert.ok(error instanceof TesseraError)
      assert.deepEqual(
        { code: error.code, expected: error.expected, actual: error.actual },
        {
          code: 'internal_error',
          expected: `schema version <= ${migrations.length}`,
          actual: 'schema version 99',
        },
      )
      return true
    })
    const check = rawConnection(dataDir)
    assert.equal(check.prepare('SELECT max(version) AS v FROM schema_version').get()?.v, 99)
    check.close()
  })

  it('closes once, and every store refuses work after close with internal_error', async () => {
    const clock = createTestClock()
    const stores = await openSqliteStores({ dataDir: freshDir(), clock: clock.now })
    await stores.close()
    await stores.close()
    await assert.rejects(stores.keys.list(), isInternalError('list the signing keys'))
    await assert.rejects(
      stores.keys.put(sampleSigningKey('k', 1)),
      isInternalError('store signing key "k"'),
    )
    await assert.rejects(stores.keys.delete('k'), isInternalError('delete signing key "k"'))
    await assert.rejects(
      stores.joinTokens.create(sampleJoinToken('a', 1)),
      isInternalError('store the join token'),
    )
    await assert.rejects(
      stores.joinTokens.consume('h', 1),
      isInternalError('consume the join token'),
    )
    assert.throws(() => stores.replay.use('k', 10), isInternalError('record the replay identifier'))
    await assert.rejects(
      stores.audit.append(sampleAuditRecord(1)),
      isInternalError('append the audit record'),
    )
    await assert.rejects(stores.audit.query({}), isInternalError('query the audit log'))
  })

  it('fails closed with internal_error when another process holds the write lock too long', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const stores = await openSqliteStores({ dataDir, clock: clock.now, busyTimeoutMs: 0 })
    const raw = rawConnection(dataDir)
    raw.exec('BEGIN IMMEDIATE')
    try {
      assert.throws(
        () => stores.replay.use('k', clock.now() + 10),
        isInternalError('database is locked'),
      )
      await assert.rejects(stores.audit.append(sampleAuditRecord(1)), isInternalError('locked'))
    } finally {
      raw.exec('ROLLBACK')
      raw.close()
    }
    assert.equal(stores.replay.use('k', clock.now() + 10), true)
    await stores.close()
  })

  it('sweeps expired replay identifiers and join tokens as it is used', async () => {
    const dataDir = freshDir()
    const clock = createTestClock()
    const stores = await openSqliteStores({ dataDir, clock: clock.now })
    const raw = rawConnection(dataDir)
    const count = (table: string) =>
      raw.prepare(`SELECT count(*) AS n FROM ${table}`).get()?.n as number
    try {
      for (let i = 0; i < 5; i += 1) stores.replay.use(`old-${i}`, clock.now() + 10)
      stores.replay.use('live', clock.now() + 3600)
      await stores.joinTokens.create(sampleJoinToken('old', clock.now(), 10))
      await stores.joinTokens.create(sampleJoinToken('live', clock.now(), 3600))
      assert.deepEqual([count('replay'), count('join_tokens')], [6, 2])
      clock.advance(60)
      stores.replay.use('new', clock.now() + 10)
      await stores.joinTokens.create(sampleJoinToken('new', clock.now(), 10))
      assert.deepEqual([count('replay'), count('join_tokens')], [2, 2])
    } finally {
      raw.close()
      await stores.close()
    }
  })

  it('keeps a fractional replay expiry until the next whole second', async () => {
    const clock = createTestClock(1000)
    const stores = await openSqliteStores({ dataDir: freshDir(), clock: clock.now })
    try {
      assert.equal(stores.replay.use('k', 1000.5), true)
      assert.equal(stores.replay.use('k', 1000.5), false)
      clock.set(1001)
      assert.equal(stores.replay.use('k', 2000), true)
      assert.equal(stores.replay.use('forever', Number.POSITIVE_INFINITY), true)
      assert.equal(stores.replay.use('forever', Number.POSITIVE_INFINITY), false)
    } finally {
      await stores.close()
    }
  })

  it('refuses rows it cannot read back with internal_error', async () => {
    const dataDir = freshDir()
    const stores = await openSqliteStores({ dataDir, clock: createTestClock().now })
    const raw = rawConnection(dataDir)
    try {
      raw.exec(`INSERT INTO signing_keys (kid, state, json) VALUES ('bad', 'active', '{oops')`)
      await assert.rejects(stores.keys.list(), isInternalError('read signing key "bad"'))
      raw.exec(`UPDATE signing_keys SET json = '{"kid":"other"}' WHERE kid = 'bad'`)
      await assert.rejects(stores.keys.list(), isInternalError('does not carry its own kid'))
      raw.exec(`UPDATE signing_keys SET json = 'null' WHERE kid = 'bad'`)
      await assert.rejects(stores.keys.list(), isInternalError('does not carry its own kid'))
      raw.exec(`INSERT INTO audit (time, correlation_id, kind, decision, json)
                VALUES (1, 'c', 'exchange', 'allow', '{oops')`)
      await assert.rejects(stores.audit.query({}), isInternalError('read audit record 1'))
      raw.exec(`UPDATE audit SET json = '42'`)
      await assert.rejects(stores.audit.query({}), isInternalError('is not an object'))
    } finally {
      raw.close()
      await stores.close()
    }
  })
})

/**
 * Starts `threads` workers, each with its own connection to the file, releases them together,
 * and has each call `use` on one key `perThread` times; returns how many calls returned true.
 * Threads are the closest in-test stand-in for separate processes: each connection takes
 * SQLite's locks on its own.
 */
async function raceReplayInWorkers(
  dataDir: string,
  threads: number,
  perThread: number,
): Promise<number> {
  const { Worker } = await import('node:worker_threads')
  const gate = new Int32Array(new SharedArrayBuffer(4))
  const moduleUrl = new URL('./open-sqlite-stores.ts', import.meta.url).href
  // Plain JavaScript: an eval'd worker is not type-stripped. It imports the real store module.
  const source = `
    const { parentPort, workerData } = require('node:worker_threads')
    import(workerData.moduleUrl).then(async ({ openSqliteStores }) => {
      const stores = await openSqliteStores({ dataDir: workerData.dataDir, clock: () => 1000 })
      parentPort.postMessage('ready')
      Atomics.wait(workerData.gate, 0, 0)
      let accepted = 0
      for (let i = 0; i < workerData.perThread; i += 1) {
        if (stores.replay.use('iss\\u0000shared-jti', 5000)) accepted += 1
      }
      await stores.close()
      parentPort.postMessage(accepted)
    })
  `
  const workers = Array.from(
    { length: threads },
    () => new Worker(source, { eval: true, workerData: { moduleUrl, dataDir, gate, perThread } }),
  )
  const ready = workers.map(
    (worker) => new Promise<void>((resolve) => worker.once('message', () => resolve())),
  )
  const done = workers.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        worker.on('message', (message) => {
          if (typeof message === 'number') resolve(message)
        })
        worker.once('error', reject)
      }),
  )
  await Promise.all(ready)
  Atomics.store(gate, 0, 1)
  Atomics.notify(gate, 0)
  const counts = await Promise.all(done)
  return counts.reduce((sum, n) => sum + n, 0)
}
