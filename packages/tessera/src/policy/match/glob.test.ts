import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { acceptsPrefix, compileGlob, hasWildcard } from './glob.ts'

// The reference semantics, as the backtracking RegExp the glob is NOT matched with.
function referenceRegExp(pattern: string): RegExp {
  const source = pattern
    .split(/(\*+)/)
    .map((part) =>
      part === ''
        ? ''
        : part === '*'
          ? '[^/:]*'
          : part.startsWith('**')
            ? '[\\s\\S]*'
            : part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^(?:${source})$`, 'u')
}

const literalText = fc.string({
  unit: fc.constantFrom('a', 'b', '/', ':', '.', '?', '[', '$', 'é'),
})
const anyValue = fc.string({ unit: fc.constantFrom('a', 'b', '/', ':', '.', '?', '[', 'é') })
const anyPattern = fc.string({ unit: fc.constantFrom('a', 'b', '/', ':', '*', '?', '[') })

describe('compileGlob', () => {
  it('matches a literal pattern exactly, without treating ?, [ or . as special', () => {
    const glob = compileGlob('repo:acme/app:ref:refs/heads/feat?[x].y')
    assert.equal(glob.literal, true)
    assert.equal(glob.matches('repo:acme/app:ref:refs/heads/feat?[x].y'), true)
    assert.equal(glob.matches('repo:acme/app:ref:refs/heads/featZ[x].y'), false)
  })

  it('lets * match within one segment but not across / or :', () => {
    const glob = compileGlob('repo:acme/*:ref:refs/heads/*')
    assert.equal(glob.literal, false)
    assert.equal(glob.matches('repo:acme/payments:ref:refs/heads/main'), true)
    assert.equal(glob.matches('repo:acme/payments:ref:refs/heads/feat/x'), false)
    assert.equal(glob.matches('repo:acme/a:b:ref:refs/heads/main'), false)
    assert.equal(glob.matches('repo:acme/:ref:refs/heads/'), true)
  })

  it('lets ** match across / and :', () => {
    const glob = compileGlob('repo:acme/**')
    assert.equal(glob.matches('repo:acme/payments:ref:refs/heads/feat/x'), true)
    assert.equal(glob.matches('repo:acme/'), true)
    assert.equal(glob.matches('repo:other/payments'), false)
  })

  it('treats a run of three or more * as **', () => {
    assert.equal(compileGlob('a***').matches('a/b:c'), true)
  })

  it('is case-sensitive and anchored at both ends', () => {
    const glob = compileGlob('a*c')
    assert.equal(glob.matches('abc'), true)
    assert.equal(glob.matches('ABC'), false)
    assert.equal(glob.matches('xabc'), false)
    assert.equal(glob.matches('abcx'), false)
    assert.equal(glob.matches('ac'), true)
  })

  it('does not let a shared prefix and suffix overlap', () => {
    assert.equal(compileGlob('ab*ba').matches('aba'), false)
    assert.equal(compileGlob('ab*ba').matches('abba'), true)
  })

  it('matches an adversarial value in linear time (no backtracking blow-up)', () => {
    // Prefix and suffix agree, so only the automaton can say no. A backtracking engine needs
    // about n^3 steps for this value; the automaton needs n × pattern length.
    const value = `a${'x'.repeat(50_000)}yc`
    assert.equal(compileGlob('a**x**x**xz**c').matches(value), false)
    assert.equal(compileGlob('a*x*x*xz*c').matches(value), false)
    assert.equal(compileGlob('a**x**x**x**c').matches(value), true)
  })

  it('matches a literal pattern (no *) exactly itself and nothing else', () => {
    fc.assert(
      fc.property(literalText, anyValue, (pattern, other) => {
        const glob = compileGlob(pattern)
        assert.equal(glob.matches(pattern), true)
        assert.equal(glob.matches(other), other === pattern)
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('never lets * cross / or : (p*q matches p+m+q exactly when m has neither)', () => {
    fc.assert(
      fc.property(literalText, anyValue, literalText, (prefix, middle, suffix) => {
        const matched = compileGlob(`${prefix}*${suffix}`).matches(`${prefix}${middle}${suffix}`)
        assert.equal(matched, !/[/:]/.test(middle))
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('lets ** match any middle', () => {
    fc.assert(
      fc.property(literalText, anyValue, literalText, (prefix, middle, suffix) => {
        assert.equal(
          compileGlob(`${prefix}**${suffix}`).matches(`${prefix}${middle}${suffix}`),
          true,
        )
      }),
      { seed: 42, numRuns: 500 },
    )
  })

  it('agrees with the reference regular expression on every pattern and value', () => {
    fc.assert(
      fc.property(anyPattern, anyValue, (pattern, value) => {
        assert.equal(compileGlob(pattern).matches(value), referenceRegExp(pattern).test(value))
      }),
      { seed: 42, numRuns: 2000 },
    )
  })
})

describe('hasWildcard', () => {
  it('is true only for patterns containing *', () => {
    assert.equal(hasWildcard('a*'), true)
    assert.equal(hasWildcard('a?[b]'), false)
  })
})

describe('acceptsPrefix', () => {
  it('is true when some value with the prefix can match', () => {
    assert.equal(acceptsPrefix(compileGlob('spiffe://*/ci/*'), 'spiffe://example.org/'), true)
    assert.equal(acceptsPrefix(compileGlob('spiffe:/*'), 'spiffe://example.org/'), false)
    assert.equal(
      acceptsPrefix(compileGlob('spiffe://example.org/a'), 'spiffe://example.org/'),
      true,
    )
    assert.equal(acceptsPrefix(compileGlob('spiffe://example.org'), 'spiffe://example.org/'), false)
  })

  it('agrees with matching: a match implies every prefix is accepted, a refusal that no extension matches', () => {
    fc.assert(
      fc.property(anyPattern, anyValue, anyValue, (pattern, prefix, rest) => {
        const glob = compileGlob(pattern)
        if (glob.matches(prefix + rest)) assert.equal(acceptsPrefix(glob, prefix), true)
        if (!acceptsPrefix(glob, prefix)) assert.equal(glob.matches(prefix + rest), false)
      }),
      { seed: 42, numRuns: 2000 },
    )
  })
})
