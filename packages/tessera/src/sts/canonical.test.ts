import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { type CanonicalExchange, tokenTypes, validateCanonicalExchange } from './canonical.ts'
import { rejectsWith } from './testing/assert-error.ts'

const base: CanonicalExchange = {
  dialect: 'test',
  correlationId: 'c1',
  subjectToken: 'a.b.c',
  subjectTokenType: tokenTypes.jwt,
  audience: 'https://payments.example.org',
  scopes: [],
}

const { audience: _, ...noTarget } = base

describe('validateCanonicalExchange', () => {
  it('accepts each presented token type and both requested types', () => {
    for (const subjectTokenType of [tokenTypes.jwt, tokenTypes.idToken, tokenTypes.accessToken]) {
      validateCanonicalExchange({ ...base, subjectTokenType })
    }
    for (const requestedTokenType of [tokenTypes.jwt, tokenTypes.accessToken]) {
      validateCanonicalExchange({ ...base, requestedTokenType })
    }
    validateCanonicalExchange({ ...base, actorToken: 'x.y.z', actorTokenType: tokenTypes.idToken })
    validateCanonicalExchange({ ...noTarget, resource: 'https://p.example.org/' })
    assert.ok(true)
  })

  it('refuses an empty subject token', async () => {
    await rejectsWith(() => validateCanonicalExchange({ ...base, subjectToken: '' }), {
      code: 'invalid_request',
      expected: 'subject_token',
      actual: 'missing',
      hint: undefined,
      message: 'subject_token is missing',
    })
  })

  it('refuses a SAML actor token type with unsupported_token_type: actors are JWTs', async () => {
    await rejectsWith(
      () =>
        validateCanonicalExchange({
          ...base,
          actorToken: 'PHg+',
          actorTokenType: 'urn:ietf:params:oauth:token-type:saml2',
        }),
      {
        code: 'unsupported_token_type',
        check: 'request',
        expected: [tokenTypes.jwt, tokenTypes.idToken, tokenTypes.accessToken],
        actual: 'urn:ietf:params:oauth:token-type:saml2',
        hint: undefined,
        message:
          'actor_token_type "urn:ietf:params:oauth:token-type:saml2" is not one of ["urn:ietf:params:oauth:token-type:jwt", "urn:ietf:params:oauth:token-type:id_token", "urn:ietf:params:oauth:token-type:access_token"]',
      },
    )
  })

  it('refuses a requested token type it cannot issue', async () => {
    await rejectsWith(
      () => validateCanonicalExchange({ ...base, requestedTokenType: tokenTypes.idToken }),
      {
        code: 'unsupported_token_type',
        expected: [tokenTypes.accessToken, tokenTypes.jwt],
        actual: tokenTypes.idToken,
        hint: undefined,
      },
    )
  })

  it('refuses an unsupported actor token type', async () => {
    await rejectsWith(
      () => validateCanonicalExchange({ ...base, actorToken: 'x', actorTokenType: 'urn:x' }),
      {
        code: 'unsupported_token_type',
        expected: [tokenTypes.jwt, tokenTypes.idToken, tokenTypes.accessToken],
        actual: 'urn:x',
        hint: undefined,
      },
    )
  })

  it('requires actor_token_type with actor_token (RFC 8693 §2.1)', async () => {
    await rejectsWith(() => validateCanonicalExchange({ ...base, actorToken: 'x.y.z' }), {
      code: 'invalid_request',
      expected: 'actor_token_type',
      actual: 'missing',
      hint: undefined,
      message: 'actor_token_type is missing: it is required when actor_token is present',
    })
  })

  it('refuses actor_token_type without actor_token (RFC 8693 §2.1)', async () => {
    await rejectsWith(
      () => validateCanonicalExchange({ ...base, actorTokenType: tokenTypes.jwt }),
      {
        code: 'invalid_request',
        expected: 'actor_token_type only together with actor_token',
        actual: 'actor_token_type without actor_token',
        hint: undefined,
      },
    )
  })

  it('requires a target', async () => {
    await rejectsWith(() => validateCanonicalExchange(noTarget), {
      code: 'invalid_request',
      expected: 'audience or resource',
      actual: 'neither',
      hint: undefined,
      message: 'audience or resource is required: name the service the new token is for',
    })
  })

  it('refuses a resource that is not an absolute URI, or has a fragment', async () => {
    for (const resource of ['payments', 'https://p.example.org/#x']) {
      await rejectsWith(() => validateCanonicalExchange({ ...base, resource }), {
        code: 'invalid_request',
        expected: 'an absolute URI without a fragment',
        actual: resource,
        hint: undefined,
      })
    }
  })
})
