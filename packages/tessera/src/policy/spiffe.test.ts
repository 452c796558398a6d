import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { maxSpiffeIdBytes, spiffeIdProblem } from './spiffe.ts'

describe('spiffeIdProblem', () => {
  it('accepts a workload SPIFFE ID of the trust domain', () => {
    assert.equal(spiffeIdProblem('spiffe://example.org/ci/acme-app_1.x', 'example.org'), undefined)
  })

  it('names what makes a value not a workload SPIFFE ID', () => {
    const cases: readonly (readonly [string, string])[] = [
      ['spiffe://other.org/x', 'it does not start with "spiffe://example.org/"'],
      ['spiffe://example.org/', 'its path is empty'],
      ['spiffe://example.org/a//b', 'its path has an empty segment (a doubled or trailing "/")'],
      ['spiffe://example.org/a/', 'its path has an empty segment (a doubled or trailing "/")'],
      ['spiffe://example.org/a/./b', 'its path has a "." segment'],
      ['spiffe://example.org/a?x=1', 'its path has a character outside [A-Za-z0-9._-]'],
      [`spiffe://example.org/${'a'.repeat(maxSpiffeIdBytes)}`, 'it is longer than 2048 bytes'],
    ]
    for (const [value, why] of cases)
      assert.equal(spiffeIdProblem(value, 'example.org'), why, value)
  })
})
