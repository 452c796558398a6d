import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { detectTrailingSlash, removeTrailingSlash } from './trailing-slash.ts'

const hint = { id: 'trailing_slash', words: 'the values differ only by a trailing slash' }

describe('detectTrailingSlash', () => {
  it('detects a trailing slash on the token value', () => {
    assert.deepEqual(
      detectTrailingSlash('https://api.example.com', 'https://api.example.com/'),
      hint,
    )
  })

  it('detects a trailing slash on the expected value', () => {
    assert.deepEqual(
      detectTrailingSlash('https://api.example.com/', 'https://api.example.com'),
      hint,
    )
  })

  it('detects one extra slash after others', () => {
    assert.deepEqual(detectTrailingSlash('https://x/', 'https://x//'), hint)
    assert.deepEqual(detectTrailingSlash('', '/'), hint)
  })

  it('returns undefined for equal values', () => {
    assert.equal(detectTrailingSlash('https://x/', 'https://x/'), undefined)
  })

  it('returns undefined for two extra slashes or another difference', () => {
    assert.equal(detectTrailingSlash('https://x', 'https://x//'), undefined)
    assert.equal(detectTrailingSlash('https://x', 'https://y/'), undefined)
    assert.equal(detectTrailingSlash('https://x', 'https://x/ '), undefined)
    assert.equal(detectTrailingSlash('https://x', '/https://x'), undefined)
  })

  it('fires exactly when one value is the other plus one final slash', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '/', ' ', 'é') })
    const pair = fc.oneof(
      fc.tuple(text, text),
      text.map((value): [string, string] => [value, `${value}/`]),
      text.map((value): [string, string] => [`${value}/`, value]),
    )
    fc.assert(
      fc.property(pair, ([expected, actual]) => {
        const fires = detectTrailingSlash(expected, actual) !== undefined
        assert.equal(fires, expected === `${actual}/` || actual === `${expected}/`)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})

describe('removeTrailingSlash', () => {
  it('removes one slash from the side that ends with more', () => {
    assert.deepEqual(removeTrailingSlash('a//', 'b'), {
      expected: 'a/',
      actual: 'b',
      phrase: 'a trailing slash',
    })
    assert.deepEqual(removeTrailingSlash('b/', 'a//'), {
      expected: 'b/',
      actual: 'a/',
      phrase: 'a trailing slash',
    })
  })

  it('returns undefined when both end with as many slashes', () => {
    assert.equal(removeTrailingSlash('a/', 'b/'), undefined)
    assert.equal(removeTrailingSlash('a', 'b'), undefined)
  })
})
