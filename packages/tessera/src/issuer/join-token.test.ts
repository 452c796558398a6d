import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { createJoinToken, hashJoinToken, redeemJoinToken } from './join-token.ts'
import { steppableClock } from './testing/clock.ts'
import { MemoryJoinTokenStore } from './testing/memory-stores.ts'

const spiffeId = 'spiffe://example.org/ci/payments'

async function refusal(promise: Promise<unknown>): Promise<TesseraError> {
  try {
    await promise
  } catch (error) {
    assert.ok(error instanceof TesseraError, String(error))
    return error
  }
  assert.fail('expected a TesseraError')
}

function setup() {
  return { store: new MemoryJoinTokenStore(), clock: steppableClock() }
}

describe('createJoinToken', () => {
  it('returns tjt_ + 32 random bytes and stores only the SHA-256 with the SPIFFE ID', async () => {
    const { store, clock } = setup()
    const { token, expiresAt } = await createJoinToken({
      store,
      spiffeId,
      ttlSeconds: 600,
      clock: clock.now,
    })
    assert.match(token, /^tjt_[A-Za-z0-9_-]{43}$/)
    assert.equal(expiresAt, clock.now() + 600)
    const [record] = [...store.records.values()]
    assert.deepEqual(record, {
      tokenHash: createHash('sha256').update(token).digest('hex'),
      spiffeId,
      expiresAt,
      createdAt: clock.now(),
    })
    assert.equal(hashJoinToken(token), record?.tokenHash)
    assert.ok(!JSON.stringify([...store.records]).includes(token.slice(4)))
  })

  it('accepts ttl bounds 1 and 86400 and refuses 0, 86401 and fractions with invalid_request', async () => {
    const { store, clock } = setup()
    for (const ttlSeconds of [1, 86_400]) {
      await createJoinToken({ store, spiffeId, ttlSeconds, clock: clock.now })
    }
    for (const ttlSeconds of [0, 86_401, 1.5, Number.NaN]) {
      const error = await refusal(
        createJoinToken({ store, spiffeId, ttlSeconds, clock: clock.now }),
      )
      assert.equal(error.code, 'invalid_request')
      assert.equal(error.expected, '1..86400')
    }
  })

  it('refuses a value that is not a workload SPIFFE ID', async () => {
    const { store, clock } = setup()
    const error = await refusal(
      createJoinToken({
        store,
        spiffeId: 'spiffe://example.org/ci/../admin',
        ttlSeconds: 60,
        clock: clock.now,
      }),
    )
    assert.equal(error.code, 'invalid_request')
    assert.equal(error.expected, 'spiffe://<trust-domain>/<path>')
    assert.equal(store.records.size, 0)
  })

  it('refuses a SPIFFE ID outside the given trust domain', async () => {
    const { store, clock } = setup()
    const error = await refusal(
      createJoinToken({
        store,
        spiffeId,
        ttlSeconds: 60,
        clock: clock.now,
        trustDomain: 'prod.example.org',
      }),
    )
    assert.equal(error.code, 'invalid_request')
    assert.equal(error.expected, 'spiffe://prod.example.org/<path>')
  })
})

describe('redeemJoinToken', () => {
  it('returns the attested SPIFFE ID once, then join_token_invalid', async () => {
    const { store, clock } = setup()
    const { token } = await createJoinToken({ store, spiffeId, ttlSeconds: 600, clock: clock.now })
    const record = await redeemJoinToken({ store, token, clock: clock.now })
    assert.equal(record.spiffeId, spiffeId)
    const error = await refusal(redeemJoinToken({ store, token, clock: clock.now }))
    assert.equal(error.code, 'join_token_invalid')
  })

  it('lets exactly one of many concurrent redemptions succeed', async () => {
    const { store, clock } = setup()
    const { token } = await createJoinToken({ store, spiffeId, ttlSeconds: 600, clock: clock.now })
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => redeemJoinToken({ store, token, clock: clock.now })),
    )
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1)
  })

  it('refuses an expired token at its expiresAt', async () => {
    const { store, clock } = setup()
    const { token } = await createJoinToken({ store, spiffeId, ttlSeconds: 60, clock: clock.now })
    clock.advance(60)
    const error = await refusal(redeemJoinToken({ store, token, clock: clock.now }))
    assert.equal(error.code, 'join_token_invalid')
  })

  it('refuses a record a store returns past its expiry (defence in depth)', async () => {
    const clock = steppableClock()
    const lenient = {
      create: async () => undefined,
      consume: async () => ({ tokenHash: 'h', spiffeId, expiresAt: clock.now() - 1, createdAt: 0 }),
    }
    const token = `tjt_${'A'.repeat(43)}`
    const error = await refusal(redeemJoinToken({ store: lenient, token, clock: clock.now }))
    assert.equal(error.code, 'join_token_invalid')
  })

  it('refuses unknown and malformed tokens alike, showing a fingerprint and never the token', async () => {
    const { store, clock } = setup()
    for (const token of [`tjt_${'B'.repeat(43)}`, 'not-a-join-token', `tjt_${'C'.repeat(44)}`]) {
      const error = await refusal(redeemJoinToken({ store, token, clock: clock.now }))
      assert.equal(error.code, 'join_token_invalid')
      assert.match(
        error.message,
        /^join token sha256:[0-9a-f]{12} is unknown, already used or expired$/,
      )
      assert.ok(!JSON.stringify(error.toJSON()).includes(token))
    }
    const error = await refusal(redeemJoinToken({ store, token: 7 as never, clock: clock.now }))
    assert.equal(error.actual, 'number')
  })
})
