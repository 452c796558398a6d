import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { checkPublicUrl } from './public-url.ts'

describe('checkPublicUrl', () => {
  it('accepts canonical http(s) URLs, with a path, and the origin root with or without its slash', () => {
    for (const url of [
      'http://127.0.0.1:8080',
      'https://tessera.example.org',
      'https://tessera.example.org/',
      'https://example.org/tessera',
      'http://[::1]:8080',
    ]) {
      assert.equal(checkPublicUrl(url), undefined, url)
    }
  })

  it('refuses a trailing slash after a path and shows the fix', () => {
    assert.equal(
      checkPublicUrl('https://example.org/tessera/'),
      'must not end with "/": write "https://example.org/tessera"; it is the issuer (iss) exactly as clients must configure it',
    )
  })

  it('refuses a URL clients would normalise differently and shows the canonical form', () => {
    assert.equal(
      checkPublicUrl('https://Tessera.Example.org:443'),
      'must be written as "https://tessera.example.org": it is the issuer (iss), compared exactly, so it must be in the form clients normalise it to',
    )
    assert.equal(
      checkPublicUrl('https://example.org/a/../b'),
      'must be written as "https://example.org/b": it is the issuer (iss), compared exactly, so it must be in the form clients normalise it to',
    )
  })

  it('refuses a query, a fragment, credentials, other schemes, whitespace and relative URLs', () => {
    const queryMessage =
      'must not have a query or fragment: an issuer identifier has neither (RFC 8414 §2)'
    assert.equal(checkPublicUrl('https://example.org?x=1'), queryMessage)
    assert.equal(checkPublicUrl('https://example.org?'), queryMessage)
    assert.equal(checkPublicUrl('https://example.org#top'), queryMessage)
    assert.equal(
      checkPublicUrl('https://user:pw@example.org'),
      'must not contain a user name or password',
    )
    assert.equal(checkPublicUrl('ftp://example.org'), 'must be an http(s) URL, got scheme "ftp"')
    assert.equal(checkPublicUrl(' https://example.org'), 'has leading or trailing whitespace')
    assert.equal(
      checkPublicUrl('example.org'),
      'must be an absolute http(s) URL, e.g. "https://tessera.example.org"',
    )
  })
})
