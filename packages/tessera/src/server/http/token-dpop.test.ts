import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createDpopProof, generateDpopKeyPair, jwkThumbprint } from '@tessera/verify'
import { createTokenRequestDpop } from './token-dpop.ts'

describe('createTokenRequestDpop', () => {
  it('binds nothing without a proof', async () => {
    assert.equal(await createTokenRequestDpop()(undefined, 'https://tessera.test'), undefined)
  })

  it('defaults to the system clock and its own jti memory', async () => {
    const dpopOf = createTokenRequestDpop()
    const key = generateDpopKeyPair('EdDSA')
    const proof = createDpopProof({ key, method: 'POST', url: 'https://t.test/oauth2/token' })
    const bound = await dpopOf(proof, 'https://t.test')
    assert.equal(bound?.jkt, jwkThumbprint(key.publicJwk as Record<string, unknown>))
    await assert.rejects(dpopOf(proof, 'https://t.test'), { code: 'dpop_replay' })
  })
})
