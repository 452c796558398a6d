import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError, type TesseraError } from '@tessera/verify'
import { parseAwsStsRequest } from './parse.ts'
import { ValidationErrors } from './validation.ts'

const accountId = '123456789012'
const options = { correlationId: 'req-1', accountId, policyNames: ['ci-deploy'] }

function refusal(params: Record<string, string>): TesseraError {
  try {
    parseAwsStsRequest(new URLSearchParams(params), options)
  } catch (error) {
    assert.ok(isTesseraError(error))
    return error
  }
  throw new Error('expected a refusal')
}

describe('ValidationErrors', () => {
  it('passes when nothing was recorded', () => {
    const problems = new ValidationErrors('AssumeRoleWithSAML')
    problems.length('roleArn', 'arn:aws:iam::123456789012:role/x', 20, 2048)
    assert.doesNotThrow(() => problems.throwIfAny())
  })

  it('names the action whose constraints were broken', () => {
    for (const action of ['AssumeRoleWithWebIdentity', 'AssumeRoleWithSAML'] as const) {
      const problems = new ValidationErrors(action)
      problems.length('roleArn', 'short', 20, 2048)
      assert.throws(
        () => problems.throwIfAny(),
        (error: unknown) => {
          assert.ok(isTesseraError(error))
          assert.equal(error.code, 'invalid_request')
          assert.equal(error.expected, `parameters within the ${action} constraints`)
          assert.deepEqual(error.actual, ['roleArn out of bounds'])
          return true
        },
      )
    }
  })

  it('names AssumeRoleWithWebIdentity for a web identity request', () => {
    const error = refusal({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${accountId}:role/ci-deploy`,
      RoleSessionName: 'x',
      WebIdentityToken: 'eyJhbGciOiJFUzI1NiJ9.e30.c2ln',
    })
    assert.equal(error.expected, 'parameters within the AssumeRoleWithWebIdentity constraints')
  })

  it('names AssumeRoleWithSAML for a SAML request', () => {
    const error = refusal({
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${accountId}:role/ci-deploy`,
      PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/idp`,
      SAMLAssertion: 'x',
    })
    assert.match(error.message, /^1 validation error detected: Value '\*\*\*' at 'sAMLAssertion'/)
    assert.equal(error.expected, 'parameters within the AssumeRoleWithSAML constraints')
  })
})
