import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AuditPage, AuditQuery, AuditRecord, AuditSink } from '../../sts/index.ts'
import { isTesseraErrorLike, openForTest, type StoreFactory } from './store-under-test.ts'

/** A minimal allowed exchange record at `time` (epoch milliseconds), with `fields` over it. */
export function sampleAuditRecord(time: number, fields: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time,
    correlationId: `corr-${time}`,
    kind: 'exchange',
    dialect: 'token-exchange',
    decision: 'allow',
    ...fields,
  }
}

/** A record with every optional field set, to prove nothing is lost on the way through. */
const fullRecord: AuditRecord = {
  time: 1_800_000_000_123,
  correlationId: 'c0ffee',
  kind: 'exchange',
  dialect: 'token-exchange',
  decision: 'deny',
  code: 'audience_mismatch',
  hint: 'trailing_slash',
  message: 'aud "https://api.example.com/" is not one of ["https://api.example.com"]',
  policy: 'ci-deploy',
  presented: {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/payments:ref:refs/heads/main',
    aud: ['https://api.example.com/'],
    tokenSha256: 'ab'.repeat(32),
    actorSub: 'spiffe://example.org/agent',
  },
  issued: {
    sub: 'spiffe://example.org/ci/acme/payments',
    aud: 'https://payments.example.org',
    scope: 'payments.read',
    exp: 1_800_000_900,
    jti: 'jti-1',
    tokenSha256: 'cd'.repeat(32),
  },
}

function withoutId(page: AuditPage): AuditRecord[] {
  return page.records.map(({ id: _id, ...record }) => record)
}

/** Follows `next` from the first page to the last, returning every page. */
async function allPages(sink: AuditSink, query: AuditQuery): Promise<AuditPage[]> {
  const pages: AuditPage[] = []
  let before: string | undefined
  do {
    const page = await sink.query(before === undefined ? query : { ...query, before })
    pages.push(page)
    before = page.next
  } while (before !== undefined)
  return pages
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')

/**
 * The `AuditSink` contract (sts): `append` resolves once the record is stored;
 * `query` filters, returns newest first, and pages with an opaque cursor such that following
 * `next` visits every matching record exactly once, even while records are appended.
 */
export function runAuditSinkSuite(name: string, factory: StoreFactory<AuditSink>): void {
  describe(`${name}: AuditSink contract`, () => {
    it('returns an empty last page when empty', async (t) => {
      const { store } = await openForTest(t, factory)
      assert.deepEqual(await store.query({}), { records: [] })
    })

    it('returns records exactly as appended, newest first, each with its own id', async (t) => {
      const { store } = await openForTest(t, factory)
      const minimal = sampleAuditRecord(1_800_000_000_000)
      await store.append(minimal)
      await store.append(fullRecord)
      const page = await store.query({})
      assert.deepEqual(withoutId(page), [fullRecord, minimal])
      assert.equal(page.next, undefined)
      const ids = page.records.map((record) => record.id)
      assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0))
      assert.equal(new Set(ids).size, 2)
      for (const absent of ['code', 'hint', 'message', 'policy', 'presented', 'issued']) {
        assert.equal(Object.hasOwn(page.records[1] as object, absent), false, absent)
      }
    })

    it('keeps a stored record apart from the object that was appended', async (t) => {
      const { store } = await openForTest(t, factory)
      const record = structuredClone(fullRecord) as { policy: string; presented: { sub: string } }
      await store.append(record as unknown as AuditRecord)
      record.policy = 'changed'
      record.presented.sub = 'changed'
      assert.deepEqual(withoutId(await store.query({})), [fullRecord])
    })

    it('filters by decision, kind, code, policy, correlation id and since', async (t) => {
      const { store } = await openForTest(t, factory)
      const t0 = 1_800_000_000_000
      const records = [
        sampleAuditRecord(t0, { policy: 'p1' }),
        sampleAuditRecord(t0 + 1, { decision: 'deny', code: 'expired', policy: 'p1' }),
        sampleAuditRecord(t0 + 2, { kind: 'identity', dialect: 'identity', correlationId: 'x' }),
        sampleAuditRecord(t0 + 3, { decision: 'deny', code: 'replay', correlationId: 'x' }),
        sampleAuditRecord(t0 + 4, { decision: 'deny', code: 'expired', kind: 'identity' }),
      ]
      for (const record of records) await store.append(record)
      const pick = (...indexes: number[]) => indexes.map((i) => records[i])
      const cases: [AuditQuery, (AuditRecord | undefined)[]][] = [
        [{}, pick(4, 3, 2, 1, 0)],
        [{ decision: 'deny' }, pick(4, 3, 1)],
        [{ decision: 'allow' }, pick(2, 0)],
        [{ kind: 'identity' }, pick(4, 2)],
        [{ code: 'expired' }, pick(4, 1)],
        [{ policy: 'p1' }, pick(1, 0)],
        [{ correlationId: 'x' }, pick(3, 2)],
        [{ since: t0 + 3 }, pick(4, 3)],
        [{ since: t0 + 5 }, []],
        [{ decision: 'deny', kind: 'exchange', since: t0 + 1 }, pick(3, 1)],
        [{ decision: 'deny', code: 'expired', policy: 'p1' }, pick(1)],
        [{ code: 'no_such_code' }, []],
      ]
      for (const [query, want] of cases) {
        assert.deepEqual(withoutId(await store.query(query)), want, JSON.stringify(query))
      }
    })

    it('pages through every record exactly once, newest first', async (t) => {
      const { store } = await openForTest(t, factory)
      for (let i = 0; i < 23; i += 1) await store.append(sampleAuditRecord(1_800_000_000_000 + i))
      const everything = await store.query({ limit: 500 })
      const pages = await allPages(store, { limit: 5 })
      assert.deepEqual(
        pages.map((page) => page.records.length),
        [5, 5, 5, 5, 3],
      )
      const seen = pages.flatMap((page) => page.records)
      assert.deepEqual(seen, everything.records)
      assert.deepEqual(
        seen.map((record) => record.time),
        Array.from({ length: 23 }, (_, i) => 1_800_000_000_022 - i),
      )
      assert.equal(pages.at(-1)?.next, undefined)
    })

    it('ends without an empty page when the records fill the last page exactly', async (t) => {
      const { store } = await openForTest(t, factory)
      for (let i = 0; i < 10; i += 1) await store.append(sampleAuditRecord(1_800_000_000_000 + i))
      const pages = await allPages(store, { limit: 5 })
      assert.deepEqual(
        pages.map((page) => [page.records.length, page.next === undefined]),
        [
          [5, false],
          [5, true],
        ],
      )
    })

    it('pages through the matches of a filter without missing or repeating one', async (t) => {
      const { store } = await openForTest(t, factory)
      for (let i = 0; i < 30; i += 1) {
        const decision = i % 2 === 0 ? 'allow' : 'deny'
        await store.append(sampleAuditRecord(1_800_000_000_000 + i, { decision }))
      }
      const pages = await allPages(store, { decision: 'deny', limit: 4 })
      const times = pages.flatMap((page) => page.records.map((record) => record.time))
      assert.deepEqual(
        times,
        Array.from({ length: 15 }, (_, i) => 1_800_000_000_029 - 2 * i),
      )
    })

    it('keeps older pages stable while new records are appended', async (t) => {
      const { store } = await openForTest(t, factory)
      for (let i = 0; i < 12; i += 1) await store.append(sampleAuditRecord(1_800_000_000_000 + i))
      const first = await store.query({ limit: 5 })
      for (let i = 0; i < 3; i += 1) await store.append(sampleAuditRecord(1_900_000_000_000 + i))
      assert.ok(first.next)
      const rest = await allPages(store, { limit: 5, before: first.next })
      const times = [first, ...rest].flatMap((page) => page.records.map((record) => record.time))
      assert.deepEqual(
        times,
        Array.from({ length: 12 }, (_, i) => 1_800_000_000_011 - i),
      )
    })

    it('returns 50 records when no limit is given and accepts a limit of 500', async (t) => {
      const { store } = await openForTest(t, factory)
      for (let i = 0; i < 60; i += 1) await store.append(sampleAuditRecord(1_800_000_000_000 + i))
      const first = await store.query({})
      assert.equal(first.records.length, 50)
      assert.ok(first.next)
      const second = await store.query({ before: first.next })
      assert.equal(second.records.length, 10)
      assert.equal(second.next, undefined)
      assert.equal((await store.query({ limit: 500 })).records.length, 60)
      assert.equal((await store.query({ limit: 1 })).records.length, 1)
    })

    it('stores every record of concurrent appends under distinct ids, in append order', async (t) => {
      const { store } = await openForTest(t, factory)
      // Times out of order, so that the order seen can only be the order of the appends.
      const records = Array.from({ length: 50 }, (_, i) =>
        sampleAuditRecord(1_800_000_000_000 + ((i * 7) % 50), { correlationId: `c-${i}` }),
      )
      await Promise.all(records.map((record) => store.append(record)))
      const page = await store.query({ limit: 500 })
      assert.equal(new Set(page.records.map((record) => record.id)).size, 50)
      assert.deepEqual(withoutId(page), records.toReversed())
    })

    for (const limit of [0, -1, 1.5, 501, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses limit ${limit} with invalid_request`, async (t) => {
        const { store } = await openForTest(t, factory)
        await assert.rejects(
          store.query({ limit }),
          isTesseraErrorLike({
            code: 'invalid_request',
            check: 'request',
            message: `limit "${limit}" is not an integer from 1 to 500`,
            expected: 'an integer from 1 to 500',
            actual: String(limit),
          }),
        )
      })
    }

    const badCursors: [string, string][] = [
      ['', 'empty'],
      ['not a cursor!', 'not base64url'],
      [base64url('abc'), 'not a number'],
      [base64url('0'), 'zero'],
      [base64url('-1'), 'negative'],
      [base64url('007'), 'leading zeros'],
      [base64url('1.5'), 'a fraction'],
      [base64url('99999999999999999'), 'beyond 2^53'],
      // 'MTJ' decodes to '12' like 'MTI' does, but sets padding bits: not a cursor we made.
      ['MTJ', 'not canonical'],
    ]
    for (const [before, what] of badCursors) {
      it(`refuses a cursor that is ${what} with invalid_request`, async (t) => {
        const { store } = await openForTest(t, factory)
        await store.append(sampleAuditRecord(1_800_000_000_000))
        await assert.rejects(
          store.query({ before }),
          isTesseraErrorLike({
            code: 'invalid_request',
            check: 'request',
            message: `before ${JSON.stringify(before)} is not a cursor returned by a previous page`,
            expected: 'the next value of a previous page',
            actual: before,
          }),
        )
      })
    }

    it('refuses an overlong cursor with invalid_request, showing it shortened', async (t) => {
      const { store } = await openForTest(t, factory)
      await assert.rejects(store.query({ before: 'A'.repeat(10_000) }), (error: unknown) => {
        assert.equal((error as { code?: unknown }).code, 'invalid_request')
        assert.ok(String((error as { actual?: unknown }).actual).length < 200)
        return true
      })
    })

    it('refuses an unknown decision, an unknown kind and a non-finite since', async (t) => {
      const { store } = await openForTest(t, factory)
      await assert.rejects(
        store.query({ decision: 'maybe' } as unknown as AuditQuery),
        isTesseraErrorLike({
          code: 'invalid_request',
          check: 'request',
          message: 'decision "maybe" is neither allow nor deny',
          expected: ['allow', 'deny'],
          actual: 'maybe',
        }),
      )
      await assert.rejects(
        store.query({ kind: 'Exchange' } as unknown as AuditQuery),
        isTesseraErrorLike({
          code: 'invalid_request',
          check: 'request',
          message: 'kind "Exchange" is neither exchange nor identity',
          expected: ['exchange', 'identity'],
          actual: 'Exchange',
        }),
      )
      await assert.rejects(
        store.query({ since: Number.NaN }),
        isTesseraErrorLike({
          code: 'invalid_request',
          check: 'request',
          message: 'since "NaN" is not a time in epoch milliseconds',
          expected: 'epoch milliseconds',
          actual: 'NaN',
        }),
      )
    })
  })
}
