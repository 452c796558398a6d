import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { AuditRecord } from '../types.ts'
import { MemoryAudit } from './memory-audit.ts'

const record = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  time: n,
  correlationId: `c${n}`,
  kind: 'exchange',
  dialect: 'token-exchange',
  decision: 'allow',
  ...extra,
})

describe('MemoryAudit', () => {
  it('returns matching records newest first, with ids', async () => {
    const audit = new MemoryAudit()
    await audit.append(record(1))
    await audit.append(record(2, { decision: 'deny', code: 'expired', policy: 'p' }))
    await audit.append(record(3, { kind: 'identity' }))
    const all = await audit.query({})
    assert.deepEqual(
      all.records.map((r) => [r.id, r.time]),
      [
        ['2', 3],
        ['1', 2],
        ['0', 1],
      ],
    )
    const denied = await audit.query({
      decision: 'deny',
      kind: 'exchange',
      code: 'expired',
      policy: 'p',
      correlationId: 'c2',
    })
    assert.deepEqual(
      denied.records.map((r) => r.time),
      [2],
    )
    assert.equal((await audit.query({ limit: 1 })).records.length, 1)
  })

  it('rejects and records nothing while failing', async () => {
    const audit = new MemoryAudit()
    audit.failure = new Error('disk full')
    await assert.rejects(audit.append(record(1)), /disk full/)
    assert.deepEqual(audit.records, [])
  })
})
