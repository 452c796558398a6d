import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { samlClaims } from './claims.ts'
import type { ValidatedAssertion } from './types.ts'

function assertion(attributes: Record<string, string[]>): ValidatedAssertion {
  return {
    issuer: 'https://idp.example.com',
    nameId: 'alice@example.com',
    audiences: ['https://tessera.test'],
    notOnOrAfter: 1_800_000_300,
    assertionId: '_a-1',
    attributes,
  } as unknown as ValidatedAssertion
}

describe('samlClaims', () => {
  it('keeps a plain object when an attribute is named __proto__, constructor or prototype', () => {
    // JSON.parse makes __proto__ an own property, as the XML parser's null-prototype map does.
    const attributes = JSON.parse(
      '{"__proto__":["polluted"],"constructor":["c"],"prototype":["p"],"groups":["admins"]}',
    ) as Record<string, string[]>
    const claims = samlClaims(assertion(attributes))
    assert.equal(Object.getPrototypeOf(claims), Object.prototype)
    assert.deepEqual(Object.keys(claims).sort(), ['aud', 'exp', 'groups', 'iss', 'jti', 'sub'])
    assert.equal(Object.hasOwn(claims, 'constructor'), false)
    assert.deepEqual(claims.groups, ['admins'])
  })

  it('never lets an attribute override a standard claim', () => {
    const claims = samlClaims(assertion({ sub: ['mallory'], iss: ['x'] }))
    assert.equal(claims.sub, 'alice@example.com')
    assert.equal(claims.iss, 'https://idp.example.com')
  })
})
