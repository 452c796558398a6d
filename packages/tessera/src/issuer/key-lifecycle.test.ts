import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  byActivation,
  isPublished,
  type KeyTimes,
  type LifecycleAction,
  type LifecycleSettings,
  planLifecycle,
  planRevocation,
  planRotation,
  publishedUntilOf,
  retentionSeconds,
} from './key-lifecycle.ts'

const settings: LifecycleSettings = {
  identityTokenTtlSeconds: 300,
  accessTokenTtlSeconds: 900,
  rotateEverySeconds: 3600,
  prePublishSeconds: 600,
}
// max(300, 900) + 60
const retention = 960
const t0 = 1_000_000

function key(
  kid: string,
  state: KeyTimes['state'],
  activatesAt: number,
  extra: Partial<KeyTimes> = {},
): KeyTimes {
  return { kid, state, createdAt: activatesAt - 600, activatesAt, ...extra }
}

/** Applies actions as the key manager does; created keys get kids n1, n2, … */
function apply(
  keys: readonly KeyTimes[],
  actions: readonly LifecycleAction[],
  now: number,
  ids: { next: number },
): KeyTimes[] {
  const byKid = new Map(keys.map((k) => [k.kid, k]))
  for (const a of actions) {
    if (a.kind === 'create') {
      ids.next += 1
      const kid = `n${ids.next}`
      byKid.set(kid, { kid, state: a.state, createdAt: now, activatesAt: a.activatesAt })
    } else if (a.kind === 'delete') byKid.delete(a.kid)
    else {
      const k = byKid.get(a.kid)
      assert.ok(k, `action on unknown kid ${a.kid}`)
      byKid.set(
        a.kid,
        a.kind === 'activate'
          ? { ...k, state: 'active', activatesAt: a.activatesAt }
          : {
              ...k,
              state: a.kind === 'retire' ? 'retired' : 'revoked',
              retiredAt: a.retiredAt,
              publishedUntil: a.publishedUntil,
            },
      )
    }
  }
  return [...byKid.values()]
}

describe('retentionSeconds and publishedUntilOf', () => {
  it('keep a retired key for the longest token lifetime plus 60 s of leeway', () => {
    assert.equal(retentionSeconds(settings), retention)
    assert.equal(retentionSeconds({ ...settings, identityTokenTtlSeconds: 2000 }), 2060)
  })

  it('keep pending and active keys without an end', () => {
    assert.equal(publishedUntilOf(key('a', 'active', t0), settings), undefined)
    assert.equal(publishedUntilOf(key('p', 'pending', t0), settings), undefined)
  })

  it('use a record’s own publishedUntil, else retiredAt or createdAt plus the retention', () => {
    assert.equal(
      publishedUntilOf(
        key('r', 'retired', t0, { retiredAt: t0 + 5, publishedUntil: t0 + 7 }),
        settings,
      ),
      t0 + 7,
    )
    assert.equal(
      publishedUntilOf(key('r', 'retired', t0, { retiredAt: t0 + 5 }), settings),
      t0 + 5 + retention,
    )
    assert.equal(
      publishedUntilOf(key('r', 'revoked', t0, { createdAt: t0 }), settings),
      t0 + retention,
    )
  })
})

describe('isPublished', () => {
  it('publishes pending and active keys', () => {
    assert.equal(isPublished(key('p', 'pending', t0 + 100), t0, settings), true)
    assert.equal(isPublished(key('a', 'active', t0), t0, settings), true)
  })

  it('publishes a retired key until, not at, its publishedUntil', () => {
    const retired = key('r', 'retired', t0, { retiredAt: t0, publishedUntil: t0 + retention })
    assert.equal(isPublished(retired, t0 + retention - 1, settings), true)
    assert.equal(isPublished(retired, t0 + retention, settings), false)
  })

  it('never publishes a revoked key, even before its publishedUntil', () => {
    const revoked = key('x', 'revoked', t0, { retiredAt: t0, publishedUntil: t0 + retention })
    assert.equal(isPublished(revoked, t0, settings), false)
  })
})

describe('byActivation', () => {
  it('orders by activatesAt, then createdAt, then kid, so every process agrees', () => {
    const keys = [
      key('b', 'pending', t0, { createdAt: 5 }),
      key('a', 'pending', t0, { createdAt: 5 }),
      key('c', 'pending', t0, { createdAt: 1 }),
      key('d', 'pending', t0 - 1),
    ]
    assert.deepEqual(
      [...keys].sort(byActivation).map((k) => k.kid),
      ['d', 'c', 'a', 'b'],
    )
    assert.equal(byActivation(keys[0] as KeyTimes, keys[0] as KeyTimes), 0)
  })
})

describe('planLifecycle', () => {
  it('creates one active key on an empty store', () => {
    assert.deepEqual(planLifecycle([], t0, settings), [
      { kind: 'create', state: 'active', activatesAt: t0 },
    ])
  })

  it('does nothing while the active key is not yet due for pre-publication', () => {
    const keys = [key('a', 'active', t0)]
    assert.deepEqual(planLifecycle(keys, t0 + 3600 - 600 - 1, settings), [])
  })

  it('pre-publishes the next key exactly prePublishSeconds before the rotation is due', () => {
    const keys = [key('a', 'active', t0)]
    assert.deepEqual(planLifecycle(keys, t0 + 3000, settings), [
      { kind: 'create', state: 'pending', activatesAt: t0 + 3600 },
    ])
  })

  it('when run late, still pre-publishes for the full prePublishSeconds, delaying the rotation', () => {
    const keys = [key('a', 'active', t0)]
    assert.deepEqual(planLifecycle(keys, t0 + 3500, settings), [
      { kind: 'create', state: 'pending', activatesAt: t0 + 4100 },
    ])
    assert.deepEqual(planLifecycle(keys, t0 + 100_000, settings), [
      { kind: 'create', state: 'pending', activatesAt: t0 + 100_600 },
    ])
  })

  it('does nothing while a pending key waits', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    assert.deepEqual(planLifecycle(keys, t0 + 3599, settings), [])
  })

  it('activates the pending key when due and retires the old one for the retention', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    assert.deepEqual(planLifecycle(keys, t0 + 3600, settings), [
      { kind: 'activate', kid: 'p', activatesAt: t0 + 3600 },
      { kind: 'retire', kid: 'a', retiredAt: t0 + 3600, publishedUntil: t0 + 3600 + retention },
    ])
  })

  it('retires the old key when the switch actually happens, not when it was scheduled', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    const now = t0 + 3600 + 250
    assert.deepEqual(planLifecycle(keys, now, settings), [
      { kind: 'activate', kid: 'p', activatesAt: t0 + 3600 },
      { kind: 'retire', kid: 'a', retiredAt: now, publishedUntil: now + retention },
    ])
  })

  it('activates the pending key and schedules the next one in the same run when both are due', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    const now = t0 + 3600 + 3000
    assert.deepEqual(planLifecycle(keys, now, settings), [
      { kind: 'activate', kid: 'p', activatesAt: t0 + 3600 },
      { kind: 'retire', kid: 'a', retiredAt: now, publishedUntil: now + retention },
      { kind: 'create', state: 'pending', activatesAt: t0 + 7200 },
    ])
  })

  it('with several pending keys due, activates the latest and retires every other signer', () => {
    const keys = [
      key('a', 'active', t0),
      key('p1', 'pending', t0 + 100),
      key('p2', 'pending', t0 + 200),
      key('p3', 'pending', t0 + 5000),
    ]
    const now = t0 + 300
    assert.deepEqual(planLifecycle(keys, now, settings), [
      { kind: 'activate', kid: 'p2', activatesAt: t0 + 200 },
      { kind: 'retire', kid: 'a', retiredAt: now, publishedUntil: now + retention },
      { kind: 'retire', kid: 'p1', retiredAt: now, publishedUntil: now + retention },
    ])
  })

  it('resolves two active keys (two processes raced) to the later one', () => {
    const keys = [key('a', 'active', t0), key('b', 'active', t0 + 10)]
    assert.deepEqual(planLifecycle(keys, t0 + 20, settings), [
      { kind: 'retire', kid: 'a', retiredAt: t0 + 20, publishedUntil: t0 + 20 + retention },
    ])
  })

  it('without an active key, promotes the earliest pending key at once (published longest)', () => {
    const keys = [
      key('p2', 'pending', t0 + 500),
      key('p1', 'pending', t0 + 400),
      key('x', 'revoked', t0 - 10, { retiredAt: t0, publishedUntil: t0 + retention }),
    ]
    assert.deepEqual(planLifecycle(keys, t0, settings), [
      { kind: 'activate', kid: 'p1', activatesAt: t0 },
    ])
  })

  it('after promoting the only pending key, schedules the next one when already due', () => {
    const keys = [key('p', 'pending', t0 + 500)]
    const s = { ...settings, prePublishSeconds: 3600, rotateEverySeconds: 3600 }
    assert.deepEqual(planLifecycle(keys, t0, s), [
      { kind: 'activate', kid: 'p', activatesAt: t0 },
      { kind: 'create', state: 'pending', activatesAt: t0 + 3600 },
    ])
  })

  it('with only retired keys left, creates an active key and keeps the retired ones published', () => {
    const keys = [key('r', 'retired', t0 - 100, { retiredAt: t0 - 10, publishedUntil: t0 + 100 })]
    assert.deepEqual(planLifecycle(keys, t0, settings), [
      { kind: 'create', state: 'active', activatesAt: t0 },
    ])
  })

  it('deletes retired and revoked keys at their publishedUntil, not before', () => {
    const keys = [
      key('a', 'active', t0),
      key('r', 'retired', t0 - 3600, { retiredAt: t0, publishedUntil: t0 + retention }),
      key('x', 'revoked', t0 - 3600, { retiredAt: t0, publishedUntil: t0 + 10 }),
    ]
    assert.deepEqual(planLifecycle(keys, t0 + 9, settings), [])
    assert.deepEqual(planLifecycle(keys, t0 + 10, settings), [{ kind: 'delete', kid: 'x' }])
    assert.deepEqual(planLifecycle(keys, t0 + retention, settings), [
      { kind: 'delete', kid: 'r' },
      { kind: 'delete', kid: 'x' },
    ])
  })

  it('deletes a retired record lacking publishedUntil after the retention from retiredAt', () => {
    const keys = [key('a', 'active', t0), key('r', 'retired', t0 - 3600, { retiredAt: t0 })]
    assert.deepEqual(planLifecycle(keys, t0 + retention - 1, settings), [])
    assert.deepEqual(planLifecycle(keys, t0 + retention, settings), [{ kind: 'delete', kid: 'r' }])
  })

  it('is idempotent: planning again at the same instant after applying finds nothing to do', () => {
    const scenarios: KeyTimes[][] = [
      [],
      [key('a', 'active', t0)],
      [key('a', 'active', t0 - 3500)],
      [key('a', 'active', t0 - 3600), key('p', 'pending', t0)],
      [key('p', 'pending', t0 + 50)],
      [
        key('a', 'active', t0 - 10),
        key('b', 'active', t0 - 5),
        key('r', 'retired', t0 - 9000, { retiredAt: t0 - 2000 }),
      ],
    ]
    for (const keys of scenarios) {
      const after = apply(keys, planLifecycle(keys, t0, settings), t0, { next: 0 })
      assert.deepEqual(planLifecycle(after, t0, settings), [], JSON.stringify(keys))
    }
  })

  it('over 200 rotations at irregular run times keeps every rotation invariant', () => {
    // A deterministic irregular schedule of runs: 1 to 900 s apart.
    let seed = 42
    const nextGap = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return 1 + (seed % 900)
    }
    const ids = { next: 0 }
    let keys: KeyTimes[] = []
    let now = t0
    const becameActive = new Map<string, number>()
    const stoppedSigning = new Map<string, number>()
    let lastActive: string | undefined
    let rotations = 0
    let maxPublished = 0
    while (rotations < 200) {
      keys = apply(keys, planLifecycle(keys, now, settings), now, ids)
      const active = keys.filter((k) => k.state === 'active')
      assert.equal(active.length, 1, `exactly one active key at ${now}`)
      const current = active[0] as KeyTimes
      if (current.kid !== lastActive) {
        if (lastActive !== undefined) {
          rotations += 1
          stoppedSigning.set(lastActive, now)
          // Every key but the first was published at least prePublishSeconds before it signed.
          assert.ok(
            now - current.createdAt >= settings.prePublishSeconds,
            `${current.kid} pre-published`,
          )
        }
        becameActive.set(current.kid, now)
        lastActive = current.kid
      }
      for (const k of keys) {
        // A key that stopped signing stays published for the longest token lifetime + leeway.
        const stopped = stoppedSigning.get(k.kid)
        if (stopped !== undefined && now < stopped + retention) {
          assert.ok(isPublished(k, now, settings), `${k.kid} still published at ${now}`)
        }
      }
      for (const [kid, stopped] of stoppedSigning) {
        if (now < stopped + retention)
          assert.ok(
            keys.some((k) => k.kid === kid),
            `${kid} kept`,
          )
      }
      maxPublished = Math.max(
        maxPublished,
        keys.filter((k) => isPublished(k, now, settings)).length,
      )
      now += nextGap()
    }
    // Each key signed for at least rotateEverySeconds (less than prePublish + one gap more).
    for (const [kid, start] of becameActive) {
      const stop = stoppedSigning.get(kid)
      if (stop === undefined) continue
      assert.ok(
        stop - start >= settings.rotateEverySeconds - 900,
        `${kid} signed ${stop - start} s`,
      )
      assert.ok(stop - start <= settings.rotateEverySeconds + settings.prePublishSeconds + 900)
    }
    // Active + pending + retired within the retention: the JWKS stays small.
    assert.ok(maxPublished <= 3, `at most 3 keys published, saw ${maxPublished}`)
    // Old keys are deleted: the store does not grow with the number of rotations.
    assert.ok(keys.length <= 4, `store holds ${keys.length} keys`)
  })
})

describe('planRotation', () => {
  it('pre-publishes a key that activates after prePublishSeconds', () => {
    assert.deepEqual(planRotation([key('a', 'active', t0)], t0 + 5, settings, false), [
      { kind: 'create', state: 'pending', activatesAt: t0 + 605 },
    ])
  })

  it('with immediate, activates a new key now and retires every active key', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    assert.deepEqual(planRotation(keys, t0 + 5, settings, true), [
      { kind: 'create', state: 'active', activatesAt: t0 + 5 },
      { kind: 'retire', kid: 'a', retiredAt: t0 + 5, publishedUntil: t0 + 5 + retention },
    ])
  })
})

describe('planRevocation', () => {
  it('revokes the active key and activates a fresh one at once', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    assert.deepEqual(planRevocation(keys, 'a', t0 + 5, settings), [
      { kind: 'revoke', kid: 'a', retiredAt: t0 + 5, publishedUntil: t0 + 5 + retention },
      { kind: 'create', state: 'active', activatesAt: t0 + 5 },
    ])
  })

  it('revokes a pending key without touching the active one', () => {
    const keys = [key('a', 'active', t0), key('p', 'pending', t0 + 3600)]
    assert.deepEqual(planRevocation(keys, 'p', t0 + 5, settings), [
      { kind: 'revoke', kid: 'p', retiredAt: t0 + 5, publishedUntil: t0 + 5 + retention },
    ])
  })

  it('revokes a retired key keeping its retiredAt and publishedUntil for the audit', () => {
    const keys = [key('r', 'retired', t0 - 3600, { retiredAt: t0, publishedUntil: t0 + retention })]
    assert.deepEqual(planRevocation(keys, 'r', t0 + 5, settings), [
      { kind: 'revoke', kid: 'r', retiredAt: t0, publishedUntil: t0 + retention },
    ])
  })

  it('does nothing for an unknown or already revoked kid', () => {
    const keys = [key('x', 'revoked', t0, { retiredAt: t0, publishedUntil: t0 + 1 })]
    assert.deepEqual(planRevocation(keys, 'nope', t0, settings), [])
    assert.deepEqual(planRevocation(keys, 'x', t0, settings), [])
  })
})
