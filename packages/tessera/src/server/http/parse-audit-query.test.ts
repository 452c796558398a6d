import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { parseAuditQuery } from './parse-audit-query.ts'

const refuses = (query: unknown, message: string) =>
  assert.throws(
    () => parseAuditQuery(query),
    (error: unknown) =>
      error instanceof TesseraError &&
      error.code === 'invalid_request' &&
      error.message === message,
  )

describe('parseAuditQuery', () => {
  it('keeps the string filters and turns since and limit into numbers', () => {
    assert.deepEqual(
      parseAuditQuery({
        decision: 'deny',
        kind: 'exchange',
        code: 'audience_mismatch',
        policy: 'ci',
        correlationId: 'c',
        before: 'cursor',
        since: '1700000000000',
        limit: '10',
      }),
      {
        decision: 'deny',
        kind: 'exchange',
        code: 'audience_mismatch',
        policy: 'ci',
        correlationId: 'c',
        before: 'cursor',
        since: 1_700_000_000_000,
        limit: 10,
      },
    )
    assert.deepEqual(parseAuditQuery(undefined), {})
  })

  it('refuses an unknown parameter, naming it', () => {
    refuses(
      { decisoin: 'deny' },
      'unknown parameter "decisoin": expected one of decision, kind, code, policy, correlationId, before, since, limit',
    )
  })

  it('refuses a repeated parameter and an overlong value', () => {
    refuses({ decision: ['allow', 'deny'] }, 'parameter decision is given more than once')
    refuses({ policy: 'p'.repeat(257) }, 'parameter policy is longer than 256 characters')
  })

  it('refuses a since or limit that is not a whole number', () => {
    refuses({ limit: 'ten' }, 'parameter limit "ten" is not a whole number')
    refuses({ since: '-1' }, 'parameter since "-1" is not a whole number')
  })
})
