import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkTrustDomain } from './trust-domain.ts'

describe('checkTrustDomain', () => {
  it('accepts lower-case letters, digits, dots, dashes and underscores', () => {
    assert.equal(checkTrustDomain('example.org'), undefined)
    assert.equal(checkTrustDomain('prod_1.example-corp.org'), undefined)
  })

  it('asks for lower case', () => {
    assert.equal(
      checkTrustDomain('Example.ORG'),
      'must be lower-case (SPIFFE ID §2.1): write "example.org"',
    )
  })

  it('asks for the name without the spiffe:// scheme or a path', () => {
    assert.equal(
      checkTrustDomain('spiffe://example.org/ci'),
      'must be the trust domain name only: write "example.org"',
    )
  })

  it('names the characters that are not allowed', () => {
    assert.equal(
      checkTrustDomain('example.org:8443/x'),
      'may contain only lower-case letters, digits, ".", "-" and "_" (SPIFFE ID §2.1), found ":", "/"',
    )
  })

  it('refuses more than 255 characters', () => {
    assert.equal(
      checkTrustDomain('a'.repeat(256)),
      'must be at most 255 characters (SPIFFE ID §2.1)',
    )
  })
})
