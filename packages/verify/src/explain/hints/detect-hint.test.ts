import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import type { Hint } from '../hint-id.ts'
import { detectCase } from './case.ts'
import { detectCombination } from './detect-combination.ts'
import { detectHint } from './detect-hint.ts'
import { detectEnvironment } from './environment.ts'
import { detectPath } from './path.ts'
import { detectScheme } from './scheme.ts'
import { detectTrailingSlash } from './trailing-slash.ts'
import { detectWhitespace } from './whitespace.ts'

const detectors: readonly [string, (expected: string, actual: string) => Hint | undefined][] = [
  ['detectWhitespace', detectWhitespace],
  ['detectTrailingSlash', detectTrailingSlash],
  ['detectScheme', detectScheme],
  ['detectCase', detectCase],
  ['detectEnvironment', detectEnvironment],
  ['detectPath', detectPath],
  ['detectCombination', detectCombination],
  ['detectHint', detectHint],
]

const nearMissText = fc
  .array(
    fc.constantFrom(
      'https://',
      'http://',
      '//',
      'HTTPS://',
      'api',
      'API',
      '.',
      'example',
      'com',
      '/',
      'v1',
      '?q=1',
      'staging',
      'Prod',
      'pre-prod',
      '-',
      '_',
      ' ',
      '\n',
      '\u00a0',
      '\u200b',
      ':8443',
      'é',
      '😀',
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''))

const edits: readonly ((value: string) => string)[] = [
  (value) => `${value}/`,
  (value) => value.toUpperCase(),
  (value) => ` ${value}`,
  (value) => `${value}\r\n`,
  (value) => value.replace('https://', 'http://'),
  (value) => value.replace('api', 'api-staging'),
  (value) => value.replace('.', '.dev.'),
  (value) => `${value}/v2`,
]

const nearMissPair = fc
  .tuple(nearMissText, fc.array(fc.constantFrom(...edits), { maxLength: 3 }))
  .map(([value, chosen]): [string, string] => [
    value,
    chosen.reduce((edited, edit) => edit(edited), value),
  ])

const loneSurrogates = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
})
const anyText = fc.oneof(fc.string({ unit: 'binary' }), loneSurrogates, nearMissText)
const anyPair = fc.oneof(fc.tuple(anyText, anyText), nearMissPair)

describe('detectHint', () => {
  it('detects whitespace first', () => {
    assert.deepEqual(detectHint('https://api.example.com', 'https://api.example.com\n'), {
      id: 'whitespace',
      words: "the values differ only by whitespace (the token's value has a trailing newline)",
    })
  })

  it('detects a trailing slash', () => {
    assert.deepEqual(detectHint('https://api.example.com', 'https://api.example.com/'), {
      id: 'trailing_slash',
      words: 'the values differ only by a trailing slash',
    })
  })

  it('detects a scheme', () => {
    assert.deepEqual(detectHint('https://api.example.com', 'http://api.example.com'), {
      id: 'scheme',
      words: 'the values differ only by scheme ("http" instead of "https")',
    })
  })

  it('detects letter case before a path difference', () => {
    assert.deepEqual(detectHint('https://x/a', 'https://x/A'), {
      id: 'case',
      words: 'the values differ only by letter case (in the path)',
    })
  })

  it('detects an environment before a path difference', () => {
    assert.deepEqual(detectHint('https://api.example.com', 'https://api.example.com/staging'), {
      id: 'environment',
      words: 'the values differ only by environment ("staging" instead of none)',
    })
  })

  it('detects a path', () => {
    assert.deepEqual(detectHint('https://api.example.com/v2', 'https://api.example.com/v1'), {
      id: 'path',
      words: 'same origin, different path ("/v1" instead of "/v2")',
    })
  })

  it('detects a combination when no single kind explains the difference', () => {
    assert.deepEqual(detectHint('https://api.example.com', 'HTTPS://API.example.com/'), {
      id: 'trailing_slash',
      words: 'the values differ by a trailing slash and letter case',
    })
  })

  it('returns undefined for equal and for unrelated values', () => {
    assert.equal(detectHint('https://api.example.com', 'https://api.example.com'), undefined)
    assert.equal(detectHint('https://a.example', 'https://totally-different.org/x'), undefined)
  })

  it('returns undefined for a value compared with itself', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        assert.equal(detectHint(value, value), undefined)
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('finds a hint in either argument order or in neither', () => {
    fc.assert(
      fc.property(anyPair, ([expected, actual]) => {
        assert.equal(
          detectHint(expected, actual) === undefined,
          detectHint(actual, expected) === undefined,
        )
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})

describe('every detector', () => {
  for (const [name, detect] of detectors) {
    it(`${name} never throws, fires symmetrically and words its hint in lower case`, () => {
      fc.assert(
        fc.property(anyPair, ([expected, actual]) => {
          const hint = detect(expected, actual)
          assert.equal(hint === undefined, detect(actual, expected) === undefined)
          assert.equal(detect(expected, expected), undefined)
          if (hint !== undefined) assert.match(hint.words, /^[a-z]/)
        }),
        { seed: 42, numRuns: 500 },
      )
    })
  }
})
