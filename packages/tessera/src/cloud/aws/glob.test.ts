import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { globHint, globMatch, hasWildcard } from './glob.ts'

describe('globMatch (IAM StringLike)', () => {
  const cases: [string, string, boolean][] = [
    ['repo:acme/*', 'repo:acme/payments:ref:refs/heads/main', true],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/payments:ref:refs/heads/main', true],
    ['repo:acme/*:ref:refs/heads/main', 'repo:acme/payments:ref:refs/heads/dev', false],
    ['v?', 'v1', true],
    ['v?', 'v', false],
    ['v?', 'v12', false],
    ['*', '', true],
    ['', '', true],
    ['', 'a', false],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['**', 'anything', true],
    ['Repo:*', 'repo:x', false],
  ]
  for (const [pattern, value, expected] of cases) {
    it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(value)}`, () => {
      assert.equal(globMatch(pattern, value), expected)
    })
  }

  it('stays fast on a pattern built to backtrack', () => {
    const pattern = `${'*a'.repeat(64)}b`
    assert.equal(globMatch(pattern, 'a'.repeat(4096)), false)
  })

  it('knows a literal from a pattern', () => {
    assert.equal(hasWildcard('repo:acme/x'), false)
    assert.equal(hasWildcard('repo:acme/*'), true)
    assert.equal(hasWildcard('v?'), true)
  })
})

describe('globHint', () => {
  it('finds whitespace, trailing slash and case near misses of a pattern', () => {
    assert.equal(globHint('repo:acme/* ', ' repo:acme/x')?.id, 'whitespace')
    assert.equal(globHint('https://x/*/', 'https://x/a')?.id, 'trailing_slash')
    assert.equal(globHint('https://x/?', 'https://x/a/')?.id, 'trailing_slash')
    assert.equal(globHint('repo:Acme/*', 'repo:acme/payments')?.id, 'case')
    assert.equal(
      globHint('repo:acme/*:ref:refs/heads/main', 'repo:acme/x:ref:refs/tags/v1'),
      undefined,
    )
  })

  it('compares a literal pattern as a plain value', () => {
    assert.equal(globHint('https://a.example', 'https://a.example/')?.id, 'trailing_slash')
  })
})
