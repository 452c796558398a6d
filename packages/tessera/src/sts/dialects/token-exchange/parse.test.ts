import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fingerprint } from '@tessera/verify'
import { tokenTypes } from '../../canonical.ts'
import { rejectsWith } from '../../testing/assert-error.ts'
import { maxPresentedTokenBytes, parseTokenExchange, tokenExchangeGrantType } from './parse.ts'

const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'
const minimal = `grant_type=${encodeURIComponent(tokenExchangeGrantType)}&subject_token=${token}&subject_token_type=${encodeURIComponent(tokenTypes.jwt)}&audience=payments-api`

function form(extra = '', start = minimal): URLSearchParams {
  return new URLSearchParams(`${start}${extra}`)
}

function basic(credentials: string): { authorization: string } {
  return { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
}

describe('parseTokenExchange', () => {
  it('parses the body openid-client sends, `+` as a space in scope', () => {
    const body = new URLSearchParams(
      `subject_token=${token}&subject_token_type=${tokenTypes.jwt}&audience=https://api.example&requested_token_type=${tokenTypes.accessToken}&scope=read+write&grant_type=${tokenExchangeGrantType}&client_id=my-client&client_secret=my-secret`,
    )
    assert.deepEqual(parseTokenExchange(body, {}, { correlationId: 'req-1' }), {
      dialect: 'token-exchange',
      correlationId: 'req-1',
      subjectToken: token,
      subjectTokenType: tokenTypes.jwt,
      scopes: ['read', 'write'],
      audience: 'https://api.example',
      requestedTokenType: tokenTypes.accessToken,
      clientId: 'my-client',
    })
  })

  it('parses a body object from a form parser, with actor token and resource', () => {
    const request = parseTokenExchange(
      {
        grant_type: tokenExchangeGrantType,
        subject_token: token,
        subject_token_type: tokenTypes.idToken,
        actor_token: token,
        actor_token_type: tokenTypes.accessToken,
        resource: ['https://payments.example.org/'],
        scope: ' a  b a ',
      },
      {},
    )
    assert.deepEqual(request, {
      dialect: 'token-exchange',
      correlationId: '',
      subjectToken: token,
      subjectTokenType: tokenTypes.idToken,
      scopes: ['a', 'b'],
      actorToken: token,
      actorTokenType: tokenTypes.accessToken,
      resource: 'https://payments.example.org/',
    })
  })

  it('form-url-decodes both parts of Basic credentials (RFC 6749 §2.3.1)', () => {
    // oauth4webapi's ClientSecretBasic for my-client / my-secret.
    const headers = { authorization: 'Basic bXklMkRjbGllbnQ6bXklMkRzZWNyZXQ=' }
    assert.equal(parseTokenExchange(form(), headers).clientId, 'my-client')
    assert.equal(parseTokenExchange(form(), basic('a+b%3Ac:s+t')).clientId, 'a b:c')
  })

  it('accepts the same client id in the body and in Basic credentials', () => {
    const parsed = parseTokenExchange(form('&client_id=my-client'), basic('my%2Dclient:x'))
    assert.equal(parsed.clientId, 'my-client')
  })

  it('reads an authorization header in any case and as a one-element list', () => {
    assert.equal(
      parseTokenExchange(form(), { Authorization: [basic('c:s').authorization] }).clientId,
      'c',
    )
  })

  it('ignores authorization schemes that are not client authentication', () => {
    assert.equal(parseTokenExchange(form(), { authorization: 'Bearer abc' }).clientId, undefined)
  })

  it('treats a parameter sent empty as absent (RFC 6749 §3.1)', () => {
    const parsed = parseTokenExchange(form('&scope=&actor_token=&actor_token_type='), {})
    assert.deepEqual(parsed.scopes, [])
    assert.equal('actorToken' in parsed, false)
  })

  it('refuses a repeated parameter, naming it', async () => {
    await rejectsWith(() => parseTokenExchange(form('&audience=other'), {}), {
      code: 'invalid_request',
      check: 'request',
      expected: 'audience once',
      actual: 'audience more than once',
      hint: undefined,
      message: '"audience" is sent more than once: each parameter may appear once (RFC 6749 §3.2)',
    })
    await rejectsWith(
      () => parseTokenExchange({ grant_type: tokenExchangeGrantType, scope: ['a', 'b'] }, {}),
      {
        code: 'invalid_request',
        expected: 'scope once',
        actual: 'scope more than once',
        hint: undefined,
      },
    )
  })

  it('refuses a parameter that is not a string', async () => {
    await rejectsWith(() => parseTokenExchange({ grant_type: 7 }, {}), {
      code: 'invalid_request',
      expected: 'grant_type as a string',
      actual: '7',
      hint: undefined,
      message: 'grant_type is number, expected a string',
    })
    await rejectsWith(() => parseTokenExchange({ grant_type: null }, {}), {
      code: 'invalid_request',
      expected: 'grant_type as a string',
      actual: 'null',
      hint: undefined,
      message: 'grant_type is null, expected a string',
    })
  })

  for (const parameter of ['grant_type', 'subject_token', 'subject_token_type']) {
    it(`refuses a request without ${parameter}`, async () => {
      const body = form()
      body.delete(parameter)
      await rejectsWith(() => parseTokenExchange(body, {}), {
        code: 'invalid_request',
        expected: parameter,
        actual: 'missing',
        hint: undefined,
        message: `${parameter} is missing`,
      })
    })
  }

  it('refuses another grant type with unsupported_grant_type, the value shown redacted', async () => {
    await rejectsWith(
      () => parseTokenExchange(new URLSearchParams('grant_type=client_credentials'), {}),
      {
        code: 'unsupported_grant_type',
        expected: tokenExchangeGrantType,
        actual: 'client_credentials',
        hint: undefined,
        message: `grant_type "client_credentials" is not supported: use "${tokenExchangeGrantType}"`,
      },
    )
    const error = await rejectsWith(
      () => parseTokenExchange(new URLSearchParams(`grant_type=${token}`), {}),
      {
        code: 'unsupported_grant_type',
        expected: tokenExchangeGrantType,
        actual: `[token ${fingerprint(token)}]`,
        hint: undefined,
      },
    )
    assert.equal(error.message.includes(token), false)
  })

  it('refuses a subject token over 16 KiB with too_large, before reading it', async () => {
    const huge = 'a'.repeat(maxPresentedTokenBytes + 1)
    await rejectsWith(
      () =>
        parseTokenExchange(
          form(`&subject_token=${huge}`, minimal.replace(`subject_token=${token}&`, '')),
          {},
        ),
      {
        code: 'too_large',
        check: 'request',
        expected: `<= ${maxPresentedTokenBytes} bytes`,
        actual: `${maxPresentedTokenBytes + 1} bytes`,
        hint: undefined,
        message: `subject_token is ${maxPresentedTokenBytes + 1} bytes, more than the limit of ${maxPresentedTokenBytes}`,
      },
    )
  })

  it('refuses an actor token over 16 KiB with too_large', async () => {
    const huge = 'é'.repeat(maxPresentedTokenBytes / 2 + 1)
    await rejectsWith(
      () => parseTokenExchange(form(`&actor_token=${huge}&actor_token_type=${tokenTypes.jwt}`), {}),
      {
        code: 'too_large',
        check: 'request',
        expected: `<= ${maxPresentedTokenBytes} bytes`,
        actual: `${maxPresentedTokenBytes + 2} bytes`,
        hint: undefined,
      },
    )
  })

  it('refuses unsupported token types through the canonical validation', async () => {
    await rejectsWith(() => parseTokenExchange(form('&requested_token_type=urn:x'), {}), {
      code: 'unsupported_token_type',
      expected: [tokenTypes.accessToken, tokenTypes.jwt],
      actual: 'urn:x',
      hint: undefined,
    })
  })

  it('refuses a request without audience or resource', async () => {
    await rejectsWith(
      () =>
        parseTokenExchange(new URLSearchParams(minimal.replace('&audience=payments-api', '')), {}),
      {
        code: 'invalid_request',
        expected: 'audience or resource',
        actual: 'neither',
        hint: undefined,
      },
    )
  })

  it('refuses a scope with a character RFC 6749 §3.3 excludes', async () => {
    await rejectsWith(() => parseTokenExchange(form('&scope=read+wr%22ite'), {}), {
      code: 'invalid_request',
      expected: 'space-separated scopes of printable ASCII other than " and \\',
      actual: 'wr"ite',
      hint: undefined,
    })
  })

  it('refuses two different client ids, body and Basic', async () => {
    await rejectsWith(() => parseTokenExchange(form('&client_id=a'), basic('b:s')), {
      code: 'invalid_request',
      expected: 'b',
      actual: 'a',
      hint: undefined,
      message: 'client_id "a" in the body differs from "b" in the Basic credentials',
    })
  })

  it('refuses malformed Basic credentials without echoing them', async () => {
    const cases: [string, string][] = [
      ['Basic', 'not base64'],
      ['Basic !!!', 'not base64'],
      [basic('no-colon').authorization, 'no "client_id:client_secret" pair'],
      [basic(':secret').authorization, 'no "client_id:client_secret" pair'],
      [basic('id%zz:secret').authorization, 'a part is not form-url-encoded'],
      [basic('id:se%zzcret').authorization, 'a part is not form-url-encoded'],
    ]
    for (const [authorization, why] of cases) {
      const error = await rejectsWith(() => parseTokenExchange(form(), { authorization }), {
        code: 'invalid_request',
        expected: 'Basic base64(urlencode(client_id) ":" urlencode(client_secret))',
        actual: why,
        hint: undefined,
        message: `the Basic authorization header is malformed: ${why}`,
      })
      assert.equal(error.message.includes('secret'), why.includes('secret'))
    }
  })

  it('refuses two authorization headers', async () => {
    await rejectsWith(
      () => parseTokenExchange(form(), { authorization: ['Basic YTpi', 'Basic YzpK'] }),
      {
        code: 'invalid_request',
        expected: 'one authorization header',
        actual: '2 authorization headers',
        hint: undefined,
      },
    )
  })
})
