import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { detectScheme, removeScheme } from './scheme.ts'

describe('detectScheme', () => {
  it('names both schemes, the token value first', () => {
    assert.deepEqual(detectScheme('https://api.example.com', 'http://api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("http" instead of "https")',
    })
  })

  it('says none when the token value has no scheme', () => {
    assert.deepEqual(detectScheme('https://api.example.com', 'api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme (none instead of "https")',
    })
  })

  it('says none when the expected value has no scheme', () => {
    assert.deepEqual(detectScheme('api.example.com', 'spiffe://api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("spiffe" instead of none)',
    })
  })

  it('shows a scheme-relative value as //', () => {
    assert.deepEqual(detectScheme('https://api.example.com', '//api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("//" instead of "https")',
    })
    assert.deepEqual(detectScheme('api.example.com', '//api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("//" instead of none)',
    })
  })

  it('shows schemes as written', () => {
    assert.deepEqual(detectScheme('https://x', 'HTTP://x'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("HTTP" instead of "https")',
    })
  })

  it('returns undefined when the schemes differ only by case', () => {
    assert.equal(detectScheme('https://x', 'HTTPS://x'), undefined)
  })

  it('returns undefined for equal values or a different rest', () => {
    assert.equal(detectScheme('https://x', 'https://x'), undefined)
    assert.equal(detectScheme('https://x', 'http://y'), undefined)
    assert.equal(detectScheme('urn:x', 'x'), undefined)
  })

  it('returns undefined when nothing follows the scheme', () => {
    assert.equal(detectScheme('https://', 'http://'), undefined)
    assert.equal(detectScheme('', '//'), undefined)
  })
})

describe('removeScheme', () => {
  it('removes both prefixes even when the rests differ', () => {
    assert.deepEqual(removeScheme('https://A', 'http://b'), {
      expected: 'A',
      actual: 'b',
      phrase: 'scheme ("http" instead of "https")',
    })
  })
})
