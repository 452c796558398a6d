import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import {
  detectWhitespace,
  removeWhitespace,
  stripWhitespace,
  whitespaceNames,
} from './whitespace.ts'

const prefix = 'the values differ only by whitespace'

describe('detectWhitespace', () => {
  it('names a trailing newline on the token value', () => {
    assert.deepEqual(detectWhitespace('https://api.example.com', 'https://api.example.com\n'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a trailing newline)`,
    })
  })

  it('names leading and mixed trailing whitespace', () => {
    assert.deepEqual(detectWhitespace('api', ' api\r\n'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a leading space and trailing whitespace made of a carriage return and a newline)`,
    })
  })

  it('names whitespace on the expected side', () => {
    assert.deepEqual(detectWhitespace('api ', 'api'), {
      id: 'whitespace',
      words: `${prefix} (the expected value has a trailing space)`,
    })
  })

  it('counts repeated characters', () => {
    assert.deepEqual(detectWhitespace('api', '\t\tapi\n\n\n'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has 2 leading tabs and 3 trailing newlines)`,
    })
  })

  it('names whitespace inside the value as contained', () => {
    assert.deepEqual(detectWhitespace('api.example.com', 'api.exa\u200bmple.com'), {
      id: 'whitespace',
      words: `${prefix} (the token's value contains a zero-width space)`,
    })
  })

  it('joins leading, trailing and inner whitespace in one clause', () => {
    assert.deepEqual(detectWhitespace('ab', ' a\tb\n'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a leading space and a trailing newline, and contains a tab)`,
    })
  })

  it('joins a single position and inner whitespace with and', () => {
    assert.deepEqual(detectWhitespace('ab', 'a b\u00a0'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a trailing non-breaking space and contains a space)`,
    })
  })

  it('describes both sides when each has whitespace the other lacks', () => {
    assert.deepEqual(detectWhitespace('x ', 'x\t'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a trailing tab; the expected value has a trailing space)`,
    })
    assert.deepEqual(detectWhitespace('a  b', 'a b'), {
      id: 'whitespace',
      words: `${prefix} (the token's value contains a space; the expected value contains 2 spaces)`,
    })
  })

  it('treats a value that is only whitespace as trailing whitespace', () => {
    assert.deepEqual(detectWhitespace('', '\n'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a trailing newline)`,
    })
  })

  it('names a leading byte order mark', () => {
    assert.deepEqual(detectWhitespace('api', '\ufeffapi'), {
      id: 'whitespace',
      words: `${prefix} (the token's value has a leading byte order mark)`,
    })
  })

  it('names every whitespace character it removes', () => {
    for (const [char, name] of whitespaceNames) {
      assert.deepEqual(detectWhitespace('ab', `a${char}b`), {
        id: 'whitespace',
        words: `${prefix} (the token's value contains a ${name})`,
      })
    }
  })

  it('returns undefined for equal values', () => {
    assert.equal(detectWhitespace(' a ', ' a '), undefined)
  })

  it('returns undefined when more than whitespace differs', () => {
    assert.equal(detectWhitespace('api', 'api/\n'), undefined)
    assert.equal(detectWhitespace('a b', 'a-b'), undefined)
  })

  it('fires exactly when the values are unequal and equal without whitespace', () => {
    const whitespace = fc.constantFrom(...whitespaceNames.keys())
    const text = fc.string({ unit: fc.oneof(whitespace, fc.constantFrom('a', 'b', '/', 'é')) })
    fc.assert(
      fc.property(text, text, (expected, actual) => {
        const fires = detectWhitespace(expected, actual) !== undefined
        const should = expected !== actual && stripWhitespace(expected) === stripWhitespace(actual)
        assert.equal(fires, should)
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})

describe('removeWhitespace', () => {
  it('strips whitespace from both values', () => {
    assert.deepEqual(removeWhitespace(' a\n', 'a\u2060b'), {
      expected: 'a',
      actual: 'ab',
      phrase: 'whitespace',
    })
  })

  it('returns undefined when neither value has whitespace', () => {
    assert.equal(removeWhitespace('a', 'b'), undefined)
  })
})
