import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  globProblem,
  issuerProblem,
  matchesEverything,
  subjectPatternProblem,
} from './pattern-checks.ts'
import { context, github, tessera } from './testing/fixtures.ts'

describe('pattern checks', () => {
  it('accepts a trusted issuer and its own issuer URL', () => {
    assert.equal(issuerProblem(github, context), undefined)
    assert.equal(issuerProblem(tessera, context), undefined)
  })

  it('names an untrusted issuer without a hint when nothing is near', () => {
    assert.equal(
      issuerProblem('https://elsewhere.example.net', context),
      'issuer "https://elsewhere.example.net" is neither a trusted issuer nor Tessera\'s own issuer "http://127.0.0.1:8080"',
    )
  })

  it('treats only runs of three or more stars as malformed', () => {
    assert.equal(globProblem('a/**/b/*'), undefined)
    assert.match(globProblem('a****') ?? '', /three or more/)
  })

  it('accepts any non-empty subject of an external issuer', () => {
    assert.equal(subjectPatternProblem('x', undefined), undefined)
  })

  it('lets a wildcard stand for the trust domain, but not a * for a / it cannot cross', () => {
    assert.equal(subjectPatternProblem('spiffe://*/ci', 'example.org'), undefined)
    assert.match(
      subjectPatternProblem('spiffe:/*', 'example.org') ?? '',
      /cannot match a value starting with/,
    )
  })

  it('knows which subject patterns match everything', () => {
    assert.equal(matchesEverything('**'), true)
    assert.equal(matchesEverything('***'), true)
    assert.equal(matchesEverything('*'), false)
    assert.equal(matchesEverything('a**'), false)
  })
})
