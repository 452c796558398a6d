import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { detectCase, removeCase } from './case.ts'

const words = 'the values differ only by letter case'

describe('detectCase', () => {
  it('detects values that differ only by letter case', () => {
    assert.deepEqual(detectCase('alice', 'Alice'), { id: 'case', words })
  })

  it('says where two URLs differ', () => {
    assert.deepEqual(detectCase('https://api.example.com', 'https://API.example.com'), {
      id: 'case',
      words: `${words} (in the host)`,
    })
    assert.deepEqual(detectCase('https://api.example.com/v1', 'https://api.example.com/V1'), {
      id: 'case',
      words: `${words} (in the path)`,
    })
    assert.deepEqual(detectCase('https://api.example.com', 'HTTPS://API.example.com'), {
      id: 'case',
      words: `${words} (in the scheme and host)`,
    })
    assert.deepEqual(detectCase('https://a/b', 'HTTPS://A/B'), {
      id: 'case',
      words: `${words} (in the scheme, host and path)`,
    })
  })

  it('says nothing about where when only one value has a host', () => {
    assert.deepEqual(detectCase('urn:Example', 'urn:example'), { id: 'case', words })
    assert.deepEqual(detectCase('\u212a://x', 'k://x'), { id: 'case', words })
  })

  it('returns undefined for equal values or other differences', () => {
    assert.equal(detectCase('Alice', 'Alice'), undefined)
    assert.equal(detectCase('Alice', 'Bob'), undefined)
  })

  it('fires exactly when the values are unequal and equal in lower case', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'A', 'ß', 'İ', 'i', '/', ':') })
    const pair = fc.oneof(
      fc.tuple(text, text),
      fc
        .tuple(text, fc.infiniteStream(fc.boolean()))
        .map(([value, flips]): [string, string] => [
          value,
          [...value].map((char) => (flips.next().value ? char.toUpperCase() : char)).join(''),
        ]),
    )
    fc.assert(
      fc.property(pair, ([expected, actual]) => {
        const fires = detectCase(expected, actual) !== undefined
        assert.equal(fires, expected !== actual && expected.toLowerCase() === actual.toLowerCase())
      }),
      { seed: 42, numRuns: 500 },
    )
  })
})

describe('removeCase', () => {
  it('lower-cases both values', () => {
    assert.deepEqual(removeCase('A', 'b'), { expected: 'a', actual: 'b', phrase: 'letter case' })
  })

  it('returns undefined when both are lower case already', () => {
    assert.equal(removeCase('a', 'b'), undefined)
  })
})
