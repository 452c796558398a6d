import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { didYouMean } from './did-you-mean.ts'

const keys = [
  'server',
  'trustDomain',
  'issuer',
  'trustedIssuers',
  'inventory',
  'policies',
  'store',
  'telemetry',
]

describe('didYouMean', () => {
  it('suggests the key a typo was meant to be', () => {
    assert.equal(didYouMean('polcies', keys), 'policies')
    assert.equal(didYouMean('trustdomain', keys), 'trustDomain')
    assert.equal(didYouMean('trustedIssuer', keys), 'trustedIssuers')
    assert.equal(didYouMean('sever', keys), 'server')
    assert.equal(didYouMean('tsl', ['listen', 'tls']), 'tls', 'a swap of neighbours is one edit')
  })

  it('suggests nothing when no key is close', () => {
    assert.equal(didYouMean('database', keys), undefined)
    assert.equal(didYouMean('x', keys), undefined)
    assert.equal(didYouMean('x', []), undefined)
  })

  it('looks past the first 16 candidates', () => {
    const many = Array.from({ length: 40 }, (_, i) => `option${String.fromCharCode(65 + i)}`)
    assert.equal(didYouMean('optionz', [...many, 'optionZ']), 'optionZ')
  })
})
