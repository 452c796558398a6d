import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { findClosest, levenshtein, maxClosestCandidates, maxLevenshteinChars } from './closest.ts'

// The textbook full-matrix distance, to check the banded one against.
function naiveLevenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
      )
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

const shortText = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/'), maxLength: 12 })

describe('levenshtein', () => {
  it('computes edit distances', () => {
    assert.equal(levenshtein('kitten', 'sitting'), 3)
    assert.equal(levenshtein('', 'abc'), 3)
    assert.equal(levenshtein('abc', ''), 3)
    assert.equal(levenshtein('same', 'same'), 0)
    assert.equal(levenshtein('https://api.example.com', 'https://api.example.com/'), 1)
  })

  it('returns max + 1 once the distance exceeds max', () => {
    assert.equal(levenshtein('kitten', 'sitting', 2), 3)
    assert.equal(levenshtein('kitten', 'sitting', 3), 3)
    assert.equal(levenshtein('a', 'abcdef', 2), 3)
    assert.equal(levenshtein('abcdef', 'ghijkl', 1), 2)
    assert.equal(levenshtein('a', 'b', 0), 1)
  })

  it('treats a negative or NaN max as zero', () => {
    assert.equal(levenshtein('a', 'b', -3), 1)
    assert.equal(levenshtein('a', 'b', Number.NaN), 1)
    assert.equal(levenshtein('a', 'a', -3), 0)
  })

  it('compares only the first maxLevenshteinChars characters', () => {
    const long = 'x'.repeat(maxLevenshteinChars)
    assert.equal(levenshtein(`${long}a`, `${long}bcd`), 0)
    assert.equal(levenshtein('y'.repeat(10_000), 'z'.repeat(10_000)), maxLevenshteinChars)
  })

  it('agrees with the full-matrix distance, bounded or not', () => {
    fc.assert(
      fc.property(shortText, shortText, fc.nat(14), (a, b, max) => {
        const exact = naiveLevenshtein(a, b)
        assert.equal(levenshtein(a, b), exact)
        assert.equal(levenshtein(b, a), exact)
        assert.equal(levenshtein(a, b, max), Math.min(exact, max + 1))
      }),
      { seed: 42, numRuns: 500 },
    )
  })
  it('agrees with the full-matrix distance on values spanning several 32-character words', () => {
    const longText = fc.string({
      unit: fc.constantFrom('a', 'b', 'c', 'é'),
      maxLength: 140,
      size: 'max',
    })
    const edited = fc
      .tuple(
        longText,
        fc.array(fc.tuple(fc.nat(140), fc.constantFrom('', 'a', 'z')), { maxLength: 8 }),
      )
      .map(([value, edits]): [string, string] => [
        value,
        edits.reduce(
          (text, [at, insert]) => text.slice(0, at) + insert + text.slice(at + 1),
          value,
        ),
      ])
    fc.assert(
      fc.property(fc.oneof(fc.tuple(longText, longText), edited), fc.nat(200), ([a, b], max) => {
        const exact = naiveLevenshtein(a, b)
        assert.equal(levenshtein(a, b), exact)
        assert.equal(levenshtein(b, a), exact)
        assert.equal(levenshtein(a, b, max), Math.min(exact, max + 1))
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('handles patterns at word boundaries', () => {
    for (const length of [31, 32, 33, 63, 64, 65]) {
      const a = 'ab'.repeat(length).slice(0, length)
      const b = `x${a.slice(1, -1)}yz`
      assert.equal(levenshtein(a, b), naiveLevenshtein(a, b))
      assert.equal(levenshtein(`q${a}`, `${a}q`), 2)
    }
  })
})

describe('findClosest', () => {
  it('returns undefined when either list is empty', () => {
    assert.equal(findClosest([], ['a']), undefined)
    assert.equal(findClosest(['a'], []), undefined)
  })

  it('returns the pair with a hint and the hint', () => {
    assert.deepEqual(
      findClosest(
        ['https://a.example', 'https://api.example.com'],
        ['https://unrelated.org', 'https://api.example.com/'],
      ),
      {
        expected: 'https://api.example.com',
        actual: 'https://api.example.com/',
        hint: { id: 'trailing_slash', words: 'the values differ only by a trailing slash' },
      },
    )
  })

  it('prefers a pair with a hint to a closer pair without one', () => {
    assert.deepEqual(
      findClosest(['abcd', 'https://api.example.com'], ['abce', 'https://api.example.com/staging']),
      {
        expected: 'https://api.example.com',
        actual: 'https://api.example.com/staging',
        hint: {
          id: 'environment',
          words: 'the values differ only by environment ("staging" instead of none)',
        },
      },
    )
  })

  it('prefers the hint earlier in precedence', () => {
    assert.deepEqual(findClosest(['https://x'], ['HTTPS://X', 'https://x/', 'https://x\n']), {
      expected: 'https://x',
      actual: 'https://x\n',
      hint: {
        id: 'whitespace',
        words: "the values differ only by whitespace (the token's value has a trailing newline)",
      },
    })
  })

  it('breaks a tie between equal hints by distance', () => {
    assert.deepEqual(findClosest(['https://x/v1'], ['https://x/other', 'https://x/v2']), {
      expected: 'https://x/v1',
      actual: 'https://x/v2',
      hint: { id: 'path', words: 'same origin, different path ("/v2" instead of "/v1")' },
    })
  })

  it('without hints, returns the pair with the smallest distance and omits hint', () => {
    const closest = findClosest(['alpha', 'omega'], ['zzzzz', 'omaga'])
    assert.deepEqual(closest, { expected: 'omega', actual: 'omaga' })
    assert.equal(closest !== undefined && 'hint' in closest, false)
  })

  it('breaks a tie in distance by input order, expected first', () => {
    assert.deepEqual(findClosest(['ab', 'cd'], ['xy', 'zw']), { expected: 'ab', actual: 'xy' })
    assert.deepEqual(findClosest(['aaa', 'bbb'], ['bbx', 'aax']), {
      expected: 'aaa',
      actual: 'aax',
    })
  })

  it('looks only at the first maxClosestCandidates values of each list', () => {
    const fillers = Array.from({ length: maxClosestCandidates }, (_, i) => `filler-${i}`)
    assert.deepEqual(findClosest(['https://x'], [...fillers, 'https://x/']), {
      expected: 'https://x',
      actual: 'filler-0',
    })
    assert.deepEqual(findClosest([...fillers, 'https://x'], ['https://x/']), {
      expected: 'filler-0',
      actual: 'https://x/',
    })
  })

  it('returns a pair from the inputs whenever both are non-empty', () => {
    fc.assert(
      fc.property(
        fc.array(shortText, { maxLength: 5 }),
        fc.array(shortText, { maxLength: 5 }),
        (expected, actual) => {
          const closest = findClosest(expected, actual)
          if (expected.length === 0 || actual.length === 0) {
            assert.equal(closest, undefined)
            return
          }
          assert.ok(closest !== undefined)
          assert.ok(expected.includes(closest.expected))
          assert.ok(actual.includes(closest.actual))
        },
      ),
      { seed: 42, numRuns: 500 },
    )
  })
})
