import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { outputClaims, registeredClaims } from './output-claims.ts'

describe('outputClaims', () => {
  it('keeps mapped claims and lets the fixed ones win', () => {
    assert.deepEqual(
      outputClaims(
        { repo: 'acme/payments', team: 'pay' },
        { sub: 's', aud: 'a', scope: undefined },
      ),
      { repo: 'acme/payments', team: 'pay', sub: 's', aud: 'a' },
    )
  })

  it('drops every mapped claim with a registered name, even when the fixed set omits it', () => {
    const mapped = Object.fromEntries([...registeredClaims].map((name) => [name, 'forged']))
    assert.deepEqual(outputClaims({ ...mapped, ok: 1 }, { sub: 's' }), { ok: 1, sub: 's' })
  })

  it('drops undefined mapped values', () => {
    assert.deepEqual(outputClaims({ gone: undefined }, {}), {})
  })
})
