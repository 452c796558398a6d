import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { detectCombination } from './detect-combination.ts'

describe('detectCombination', () => {
  it('names a trailing slash and letter case, reporting the first kind', () => {
    assert.deepEqual(detectCombination('https://api.example.com', 'HTTPS://API.example.com/'), {
      id: 'trailing_slash',
      words: 'the values differ by a trailing slash and letter case',
    })
  })

  it('names whitespace and letter case', () => {
    assert.deepEqual(detectCombination('alice', ' Alice'), {
      id: 'whitespace',
      words: 'the values differ by whitespace and letter case',
    })
  })

  it('names three kinds with their details', () => {
    assert.deepEqual(detectCombination('https://x', 'HTTP://X/'), {
      id: 'trailing_slash',
      words:
        'the values differ by a trailing slash, scheme ("HTTP" instead of "https") and letter case',
    })
    assert.deepEqual(
      detectCombination('https://api.example.com', 'https://api.staging.example.com/\n'),
      {
        id: 'whitespace',
        words:
          'the values differ by whitespace, a trailing slash and environment ("staging" instead of none)',
      },
    )
  })

  it('names an environment and a remaining path difference', () => {
    assert.deepEqual(
      detectCombination('https://api.example.com/v2', 'https://api.staging.example.com/v1'),
      {
        id: 'environment',
        words:
          'the values differ by environment ("staging" instead of none) and path ("/v1" instead of "/v2")',
      },
    )
  })

  it('names whitespace and a remaining path difference', () => {
    assert.deepEqual(detectCombination('https://x/v2', 'https://x/v1\n'), {
      id: 'whitespace',
      words: 'the values differ by whitespace and path ("/v1" instead of "/v2")',
    })
    assert.deepEqual(
      detectCombination('https://api.example.com/v2', 'https://api.exa\u00a0mple.com/v1'),
      {
        id: 'whitespace',
        words: 'the values differ by whitespace and path ("/v1" instead of "/v2")',
      },
    )
  })

  it('prefers the fewest kinds that make the values equal', () => {
    // Stripping whitespace alone would not do; whitespace and case would, and so would more.
    assert.deepEqual(detectCombination('a-b', ' A-B'), {
      id: 'whitespace',
      words: 'the values differ by whitespace and letter case',
    })
  })

  it('prefers making the values equal over leaving a path difference', () => {
    assert.deepEqual(detectCombination('https://x/v1', 'https://x/V1/ '), {
      id: 'whitespace',
      words: 'the values differ by whitespace, a trailing slash and letter case',
    })
  })

  it('returns undefined for equal values', () => {
    assert.equal(detectCombination(' a', ' a'), undefined)
  })

  it('returns undefined for unrelated values', () => {
    assert.equal(
      detectCombination('https://a.example', 'https://totally-different.org/x'),
      undefined,
    )
    assert.equal(detectCombination('https://x/v1', 'http://y/v2 '), undefined)
  })
})
