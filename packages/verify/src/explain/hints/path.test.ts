import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { detectPath, pathDifference, showPathDifference } from './path.ts'

describe('detectPath', () => {
  it('names both paths of same-origin URLs, the token value first', () => {
    assert.deepEqual(detectPath('https://api.example.com/v2', 'https://api.example.com/v1'), {
      id: 'path',
      words: 'same origin, different path ("/v1" instead of "/v2")',
    })
  })

  it('includes the query', () => {
    assert.deepEqual(detectPath('https://x/a?v=2', 'https://x/a?v=1'), {
      id: 'path',
      words: 'same origin, different path ("/a?v=1" instead of "/a?v=2")',
    })
  })

  it('compares origins as the URL parser normalises them', () => {
    assert.deepEqual(detectPath('https://api.example.com:443/v2', 'HTTPS://API.example.com/v1'), {
      id: 'path',
      words: 'same origin, different path ("/v1" instead of "/v2")',
    })
  })

  it('treats a slash before the query as a path difference', () => {
    assert.deepEqual(detectPath('https://x/a?q', 'https://x/a/?q'), {
      id: 'path',
      words: 'same origin, different path ("/a/?q" instead of "/a?q")',
    })
  })

  it('redacts what it quotes', () => {
    const opaque = 'A'.repeat(250)
    const hint = detectPath('https://x/a', `https://x/${opaque}`)
    assert.equal(hint?.id, 'path')
    assert.match(
      hint?.words ?? '',
      /^same origin, different path \("\[opaque sha256:[0-9a-f]{12}\]" instead of "\/a"\)$/,
    )
  })

  it('returns undefined for a different origin', () => {
    assert.equal(detectPath('https://a.example/v1', 'https://b.example/v2'), undefined)
    assert.equal(detectPath('https://x/v1', 'http://x/v2'), undefined)
    assert.equal(detectPath('https://x:8443/v1', 'https://x/v2'), undefined)
    assert.equal(detectPath('https://u@x/v1', 'https://x/v2'), undefined)
    assert.equal(detectPath('https://u:p@x/v1', 'https://u:q@x/v2'), undefined)
  })

  it('returns undefined when only a trailing slash or the fragment differs', () => {
    assert.equal(detectPath('https://x/v1', 'https://x/v1/'), undefined)
    assert.equal(detectPath('https://x/v1/', 'https://x/v1'), undefined)
    assert.equal(detectPath('https://x', 'https://x/'), undefined)
    assert.equal(detectPath('https://x/a#1', 'https://x/a#2'), undefined)
  })

  it('returns undefined for values that are not absolute URLs with a host', () => {
    assert.equal(detectPath('/v1', '/v2'), undefined)
    assert.equal(detectPath('https://x/v1', 'not a url'), undefined)
    assert.equal(detectPath('urn:a', 'urn:b'), undefined)
  })
})

describe('pathDifference', () => {
  it('returns both paths for showPathDifference', () => {
    const difference = pathDifference('spiffe://td/a', 'spiffe://td/b')
    assert.deepEqual(difference, { expected: '/a', actual: '/b' })
    assert.equal(showPathDifference({ expected: '/a', actual: '/b' }), '("/b" instead of "/a")')
  })
})

describe('pathDifference with whitespace', () => {
  it('returns undefined when either value contains whitespace the parser would drop', () => {
    assert.equal(pathDifference('https://x/v2', 'https://x/v1\n'), undefined)
    assert.equal(
      pathDifference('https://api.example.com/v2', 'https://api.exa\u200bmple.com/v1'),
      undefined,
    )
  })
})
