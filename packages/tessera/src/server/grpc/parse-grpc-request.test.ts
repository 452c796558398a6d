import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseExchangeMessage, parseIdentityTokenMessage } from './parse-grpc-request.ts'

const empty = {
  subject_token: '',
  subject_token_type: '',
  actor_token: '',
  actor_token_type: '',
  audience: '',
  resource: '',
  scope: [],
  requested_token_type: '',
  client_id: '',
}

describe('parseExchangeMessage', () => {
  it('leaves empty fields out and keeps the others as sent', () => {
    const request = parseExchangeMessage(
      {
        ...empty,
        subject_token: 's',
        subject_token_type: 't',
        actor_token: 'a',
        actor_token_type: 'at',
        resource: 'https://r.example',
        scope: ['b', 'a', 'b'],
      },
      'c-1',
    )
    assert.deepEqual(request, {
      dialect: 'grpc',
      correlationId: 'c-1',
      subjectToken: 's',
      subjectTokenType: 't',
      scopes: ['b', 'a'],
      actorToken: 'a',
      actorTokenType: 'at',
      resource: 'https://r.example',
    })
  })

  it('refuses an actor token over the size limit with too_large', () => {
    assert.throws(
      () => parseExchangeMessage({ ...empty, actor_token: 'a'.repeat(16 * 1024 + 1) }, 'c'),
      { code: 'too_large', check: 'request' },
    )
  })
})

describe('parseIdentityTokenMessage', () => {
  const base = { join_token: '', subject_token: '', audience: 'aud', ttl_seconds: 0 }

  it('takes a subject token, and 0 seconds as the default lifetime', () => {
    assert.deepEqual(parseIdentityTokenMessage({ ...base, subject_token: 'x' }), {
      subjectToken: 'x',
      audience: 'aud',
    })
  })

  it('refuses no attestation, no audience and a negative lifetime with invalid_request', () => {
    assert.throws(() => parseIdentityTokenMessage(base), {
      code: 'invalid_request',
      message: /join_token or subject_token is required/,
    })
    assert.throws(() => parseIdentityTokenMessage({ ...base, join_token: 'j', audience: '' }), {
      code: 'invalid_request',
      message: /audience is required/,
    })
    assert.throws(() => parseIdentityTokenMessage({ ...base, join_token: 'j', ttl_seconds: -5 }), {
      code: 'invalid_request',
      message: /ttl_seconds/,
    })
  })
})
