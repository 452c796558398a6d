import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MemoryReplayStore } from '@tessera/verify'
import { claimSingleUse, singleUseLeewaySeconds } from './single-use.ts'
import { rejectsWith } from './testing/assert-error.ts'

const now = 1_800_000_000
const iss = 'https://idp.example.com'

describe('claimSingleUse', () => {
  it('accepts a jti once, then refuses it with replay', async () => {
    const replay = new MemoryReplayStore({ clock: () => now })
    await claimSingleUse(replay, iss, { jti: 'j1', exp: now + 60 }, now)
    await rejectsWith(() => claimSingleUse(replay, iss, { jti: 'j1', exp: now + 60 }, now), {
      code: 'replay',
      check: 'replay',
      expected: 'a jti not seen before',
      actual: 'j1',
      hint: undefined,
      message: 'jti "j1" was already exchanged once: the policy accepts each token once',
    })
  })

  it('keys on issuer and jti together', async () => {
    const replay = new MemoryReplayStore({ clock: () => now })
    await claimSingleUse(replay, iss, { jti: 'j1', exp: now + 60 }, now)
    await claimSingleUse(replay, 'https://other.example.com', { jti: 'j1', exp: now + 60 }, now)
  })

  it('remembers the jti until exp plus the leeway, namespaced as a subject token', async () => {
    const seen: [string, number][] = []
    const recording = {
      use: (key: string, expiresAt: number) => {
        seen.push([key, expiresAt])
        return true
      },
    }
    await claimSingleUse(recording, iss, { jti: 'j', exp: 5 }, now)
    await claimSingleUse(recording, iss, { jti: 'k' }, now)
    assert.deepEqual(seen, [
      [`subject:${iss}\u0000j`, 5 + singleUseLeewaySeconds],
      [`subject:${iss}\u0000k`, now + singleUseLeewaySeconds],
    ])
  })

  it('requires a jti', async () => {
    await rejectsWith(() => claimSingleUse(new MemoryReplayStore(), iss, { jti: '' }, now), {
      code: 'missing_claim',
      check: 'replay',
      expected: 'jti (a unique string)',
      actual: 'missing',
      hint: undefined,
    })
  })
})
