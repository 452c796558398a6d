import assert from 'node:assert/strict'
import { DatabaseSync } from 'node:sqlite'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { isTesseraErrorLike } from '../testing/store-under-test.ts'
import { migrate } from './migrate.ts'
import { type Migration, migrations } from './migrations.ts'

const clock = () => 1_800_000_000

function versions(db: DatabaseSync): unknown[] {
  return db
    .prepare('SELECT version, applied_at FROM schema_version ORDER BY version')
    .all()
    .map((row) => ({ ...row }))
}

function tables(db: DatabaseSync): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
    .all()
    .map((row) => String(row.name))
}

const first: Migration = { version: 1, description: 'one', sql: 'CREATE TABLE one (a INTEGER)' }
const second: Migration = { version: 2, description: 'two', sql: 'CREATE TABLE two (b INTEGER)' }

describe('migrations', () => {
  it('are numbered 1, 2, 3, … without gaps, each described', () => {
    assert.ok(migrations.length > 0)
    migrations.forEach((step, i) => {
      assert.equal(step.version, i + 1)
      assert.ok(step.description.length > 0)
    })
  })

  it('create every table of the store on an empty database', () => {
    const db = new DatabaseSync(':memory:')
    assert.equal(migrate(db, migrations, clock), migrations.length)
    assert.deepEqual(tables(db), [
      'audit',
      'join_tokens',
      'replay',
      'schema_version',
      'signing_keys',
      'sqlite_sequence',
    ])
    assert.deepEqual(
      versions(db),
      migrations.map((step) => ({ version: step.version, applied_at: clock() })),
    )
  })
})

describe('migrate', () => {
  it('applies nothing the second time', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, [first, second], clock)
    assert.equal(
      migrate(db, [first, second], () => 0),
      2,
    )
    assert.deepEqual(versions(db), [
      { version: 1, applied_at: clock() },
      { version: 2, applied_at: clock() },
    ])
  })

  it('applies only the steps a database has not run yet', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, [first], clock)
    assert.equal(
      migrate(db, [first, second], () => 7),
      2,
    )
    assert.deepEqual(versions(db), [
      { version: 1, applied_at: clock() },
      { version: 2, applied_at: 7 },
    ])
  })

  it('rolls a failed step back completely and names it', () => {
    const db = new DatabaseSync(':memory:')
    const broken: Migration = {
      version: 2,
      description: 'broken',
      sql: 'CREATE TABLE half (c INTEGER); INSERT INTO missing VALUES (1)',
    }
    assert.throws(
      () => migrate(db, [first, broken], clock),
      (error: unknown) => {
        isTesseraErrorLike({
          code: 'internal_error',
          check: 'internal',
          message: 'the SQLite store could not apply migration 2 (broken): no such table: missing',
        })(error)
        assert.ok((error as TesseraError).cause instanceof Error)
        return true
      },
    )
    assert.deepEqual(versions(db), [{ version: 1, applied_at: clock() }])
    assert.equal(tables(db).includes('half'), false)
    assert.equal(db.isTransaction, false)
  })

  it('refuses a database written by a newer Tessera, changing nothing', () => {
    const db = new DatabaseSync(':memory:')
    migrate(db, [first, second], clock)
    assert.throws(
      () => migrate(db, [first], clock),
      isTesseraErrorLike({
        code: 'internal_error',
        check: 'internal',
        message:
          'the database is at schema version 2, newer than this Tessera knows (1): upgrade Tessera, or point store.dataDir at another directory',
        expected: 'schema version <= 1',
        actual: 'schema version 2',
      }),
    )
    assert.equal(db.isTransaction, false)
    assert.equal(migrate(db, [first, second], clock), 2)
  })

  it('reports a database it cannot read as internal_error', () => {
    const db = new DatabaseSync(':memory:')
    db.close()
    assert.throws(
      () => migrate(db, [first], clock),
      (error: unknown) => error instanceof TesseraError && error.code === 'internal_error',
    )
  })
})
