import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { matchGlob } from './glob.ts'

describe('matchGlob', () => {
  for (const [pattern, value, expected] of [
    ['svc-a', 'svc-a', true],
    ['svc-a', 'svc-b', false],
    ['*', '', true],
    ['*', 'anything', true],
    ['spiffe://example.org/svc/*', 'spiffe://example.org/svc/a', true],
    ['spiffe://example.org/svc/*', 'spiffe://example.org/svc/', true],
    ['spiffe://example.org/svc/*', 'spiffe://example.org/ci/a', false],
    ['*.example.org', 'api.example.org', true],
    ['*.example.org', 'example.org', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*aa', 'aa', false],
    ['a*aa', 'aaa', true],
    ['*ab*ab*', 'xabyab', true],
    ['*ab*ab*', 'xaby', false],
    ['a**b', 'ab', true],
    ['.+', 'aa', false],
    ['SVC-*', 'svc-a', false],
  ] as const) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
      assert.equal(matchGlob(pattern, value), expected)
    })
  }

  it('agrees with an equivalent regular expression on random inputs', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '*'), maxLength: 8 })
    const value = fc.string({ unit: fc.constantFrom('a', 'b'), maxLength: 10 })
    fc.assert(
      fc.property(text, value, (pattern, v) => {
        const regex = new RegExp(`^${pattern.split('*').join('.*')}$`)
        assert.equal(matchGlob(pattern, v), regex.test(v))
      }),
      { seed: 7, numRuns: 2000 },
    )
  })

  it('stays linear on inputs that make backtracking matchers quadratic', () => {
    // Counting steps would need instrumentation; a 200 000-character value with a pattern of
    // many near-matching pieces finishes only if the matcher does not backtrack.
    const value = 'a'.repeat(200_000)
    const pattern = `${'*a'.repeat(1000)}*b`
    assert.equal(matchGlob(pattern, value), false)
  })
})
