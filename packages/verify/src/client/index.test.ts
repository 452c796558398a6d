import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

describe('@tessera/verify/client', () => {
  it('exports the token source, the fetchers, withTokens and DPoP proof creation', async () => {
    const exported = Object.keys(await import('@tessera/verify/client')).sort()
    assert.deepEqual(exported, [
      'createDpopProof',
      'createTokenSource',
      'generateDpopKeyPair',
      'tesseraExchangeFetcher',
      'tesseraIdentityFetcher',
      'withTokens',
    ])
  })
})
