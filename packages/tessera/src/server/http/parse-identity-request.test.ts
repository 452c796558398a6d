import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { parseIdentityRequest } from './parse-identity-request.ts'

const refuses = (body: unknown, message: string) =>
  assert.throws(
    () => parseIdentityRequest(body),
    (error: unknown) =>
      error instanceof TesseraError &&
      error.code === 'invalid_request' &&
      error.message === message,
    JSON.stringify(body),
  )

describe('parseIdentityRequest', () => {
  it('accepts a join token or an upstream token, an audience and a ttl', () => {
    assert.deepEqual(parseIdentityRequest({ joinToken: 'tjt_x', audience: 'a', ttlSeconds: 60 }), {
      joinToken: 'tjt_x',
      audience: 'a',
      ttlSeconds: 60,
    })
    assert.deepEqual(parseIdentityRequest({ token: 'eyJ', audience: 'a' }), {
      subjectToken: 'eyJ',
      audience: 'a',
    })
  })

  it('refuses a body that is not an object', () => {
    for (const body of [undefined, null, 'x', 1, []])
      refuses(body, 'body must be a JSON object { joinToken | token, audience, ttlSeconds? }')
  })

  it('refuses unknown fields, naming them', () => {
    refuses(
      { joinToken: 'x', audience: 'a', ttl: 5 },
      'unknown field "ttl": expected joinToken, token, audience, ttlSeconds',
    )
  })

  it('wants exactly one attestation', () => {
    refuses(
      { joinToken: 'x', token: 'y', audience: 'a' },
      'give either joinToken or token, not both',
    )
    refuses({ audience: 'a' }, 'joinToken or token is required: the attestation of the workload')
    refuses({ joinToken: '', audience: 'a' }, 'joinToken must be a non-empty string')
    refuses({ token: 5, audience: 'a' }, 'token must be a non-empty string')
  })

  it('wants an audience and a whole positive ttl', () => {
    refuses({ joinToken: 'x' }, 'audience is required: the one audience of the identity token')
    refuses(
      { joinToken: 'x', audience: ['a'] },
      'audience is required: the one audience of the identity token',
    )
    for (const ttlSeconds of [0, -1, 1.5, '60', 2 ** 60])
      refuses(
        { joinToken: 'x', audience: 'a', ttlSeconds },
        'ttlSeconds must be a whole number of seconds, at least 1',
      )
  })
})
