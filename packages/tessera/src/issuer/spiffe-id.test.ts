import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isSpiffeId, isTrustDomain, parseSpiffeId } from './spiffe-id.ts'

const td = 'example.org'

describe('isSpiffeId', () => {
  const valid = [
    'spiffe://example.org/ci/payments',
    'spiffe://example.org/a',
    'spiffe://example.org/ns/staging/sa/default',
    'spiffe://example.org/9eebccd2-12bf-40a6-b262-65fe0487d453',
    'spiffe://example.org/A.b_c-D/...x/.hidden',
  ]
  for (const id of valid) {
    it(`accepts ${id}`, () => {
      assert.equal(isSpiffeId(id, td), true)
    })
  }

  const invalid: [string, string][] = [
    ['another trust domain', 'spiffe://example.com/ci'],
    ['an upper-case scheme', 'SPIFFE://example.org/ci'],
    ['another scheme', 'https://example.org/ci'],
    ['an upper-case trust domain', 'spiffe://Example.org/ci'],
    ['a bare trust domain (no workload path)', 'spiffe://example.org'],
    ['a path of only a slash', 'spiffe://example.org/'],
    ['an empty trust domain', 'spiffe:///ci'],
    ['a trailing slash', 'spiffe://example.org/ci/'],
    ['an empty segment', 'spiffe://example.org/ci//payments'],
    ['a dot segment', 'spiffe://example.org/ci/./payments'],
    ['a dot-dot segment', 'spiffe://example.org/ci/../admin'],
    ['a port', 'spiffe://example.org:443/ci'],
    ['userinfo', 'spiffe://user@example.org/ci'],
    ['a query', 'spiffe://example.org/ci?x=1'],
    ['a fragment', 'spiffe://example.org/ci#x'],
    ['percent-encoding', 'spiffe://example.org/c%69'],
    ['a space', 'spiffe://example.org/c i'],
    ['non-ASCII', 'spiffe://example.org/caf\u00e9'],
    ['no slashes after the scheme', 'spiffe:example.org/ci'],
  ]
  for (const [what, id] of invalid) {
    it(`refuses ${what}: ${JSON.stringify(id)}`, () => {
      assert.equal(isSpiffeId(id, td), false)
    })
  }

  it('accepts exactly 2048 bytes and refuses 2049', () => {
    const head = `spiffe://${td}/`
    const at = `${head}${'a'.repeat(2048 - head.length)}`
    assert.equal(at.length, 2048)
    assert.equal(isSpiffeId(at, td), true)
    assert.equal(isSpiffeId(`${at}b`, td), false)
  })

  it('refuses when the expected trust domain is itself invalid', () => {
    assert.equal(isSpiffeId('spiffe://example.org/ci', 'Example.org'), false)
  })

  it('refuses non-strings', () => {
    assert.equal(isSpiffeId(42 as never, td), false)
  })
})

describe('parseSpiffeId', () => {
  it('splits trust domain and path', () => {
    assert.deepEqual(parseSpiffeId('spiffe://prod.example-1_x/a/b'), {
      trustDomain: 'prod.example-1_x',
      path: '/a/b',
    })
  })
})

describe('isTrustDomain', () => {
  it('accepts [a-z0-9._-] up to 255 bytes', () => {
    assert.equal(isTrustDomain('example.org'), true)
    assert.equal(isTrustDomain('a'.repeat(255)), true)
    assert.equal(isTrustDomain('a'.repeat(256)), false)
    assert.equal(isTrustDomain(''), false)
    assert.equal(isTrustDomain('exa mple.org'), false)
  })
})
