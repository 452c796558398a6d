import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { steppableClock } from '../../test/support/token-factory.ts'
import { TesseraError } from '../explain/tessera-error.ts'
import { createDpopNonceSource } from './nonce-source.ts'

const secret = Buffer.alloc(32, 1)

describe('createDpopNonceSource', () => {
  it('hands out a 256-bit base64url nonce that it recognises', async () => {
    const source = createDpopNonceSource({ clock: () => 1000, secret })
    const nonce = await source.current()
    assert.match(nonce, /^[A-Za-z0-9_-]{43}$/)
    assert.equal(await source.isValid(nonce), true)
  })

  it('keeps the previous nonce valid for one more interval, then refuses it', () => {
    const clock = steppableClock(1_800_000_000)
    const source = createDpopNonceSource({ clock: clock.now, secret, rotateEverySeconds: 60 })
    const first = source.current() as string
    clock.advance(60)
    const second = source.current() as string
    assert.notEqual(second, first)
    assert.equal(source.isValid(first), true)
    assert.equal(source.isValid(second), true)
    clock.advance(60)
    assert.equal(source.isValid(first), false)
    assert.equal(source.isValid(second), true)
  })

  it('agrees across replicas sharing the secret, and not otherwise', () => {
    const a = createDpopNonceSource({ clock: () => 5000, secret })
    const b = createDpopNonceSource({ clock: () => 5000, secret })
    const c = createDpopNonceSource({ clock: () => 5000 })
    assert.equal(b.isValid(a.current() as string), true)
    assert.equal(c.isValid(a.current() as string), false)
  })

  it('refuses values that are not its nonces without throwing', () => {
    const source = createDpopNonceSource({ secret })
    for (const value of [
      '',
      'abc',
      'A'.repeat(43),
      `${'A'.repeat(42)}B`,
      'é'.repeat(43),
      7 as unknown as string,
    ])
      assert.equal(source.isValid(value), false)
  })

  it('refuses bad options with invalid_options, listing every problem', () => {
    assert.throws(
      () =>
        createDpopNonceSource({
          rotateEverySeconds: 0,
          clock: 'now' as unknown as () => number,
          secret: Buffer.alloc(16),
        }),
      (error: unknown) => {
        assert.ok(error instanceof TesseraError)
        assert.equal(error.code, 'invalid_options')
        assert.deepEqual(
          error.problems?.map((p) => p.path),
          ['rotateEverySeconds', 'clock', 'secret'],
        )
        return true
      },
    )
  })
})
