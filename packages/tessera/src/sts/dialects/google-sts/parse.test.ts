import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { GcpDialectSection } from './config-schema.ts'
import { parseGenerateAccessToken } from './generate-access-token.ts'
import { parseGoogleSts } from './parse.ts'

const section: GcpDialectSection = {
  projectNumber: '42',
  providers: [{ pool: 'p', provider: 'x', issuer: 'https://ci.test', target: 'https://fed.test' }],
  serviceAccounts: [
    {
      email: 'sa@x.iam.gserviceaccount.com',
      target: 'storage',
      members: [
        'principalSet://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/*',
      ],
    },
  ],
}
const audience =
  '//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p/providers/x'
const fields = {
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  audience,
  requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  subject_token: 'a.b.c\n',
  subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
}

function code(fn: () => unknown): { code: string; check?: string; message: string } {
  try {
    fn()
  } catch (error) {
    return error as { code: string; check?: string; message: string }
  }
  assert.fail('no error')
}

describe('parseGoogleSts', () => {
  test('reads a form, trims the token and targets the provider', () => {
    const { exchange, provider } = parseGoogleSts(new URLSearchParams(fields), section, 'c1')
    assert.equal(provider.provider, 'x')
    assert.equal(exchange.subjectToken, 'a.b.c')
    assert.equal(exchange.audience, 'https://fed.test')
    assert.equal(exchange.dialect, 'google-sts')
    assert.equal(exchange.correlationId, 'c1')
  })
  test('reads camelCase JSON', () => {
    const { exchange } = parseGoogleSts(
      {
        grantType: fields.grant_type,
        audience,
        requestedTokenType: fields.requested_token_type,
        subjectToken: 't',
        subjectTokenType: fields.subject_token_type,
        options: '{"userProject":"1"}',
      },
      section,
    )
    assert.equal(exchange.subjectToken, 't')
  })
  const rows: [string, unknown, string, string?][] = [
    ['no body', undefined, 'invalid_request', 'request'],
    ['a field twice', { grant_type: 'a', grantType: 'a' }, 'invalid_request'],
    ['a non-string', { grant_type: 1 }, 'invalid_request'],
    ['no grant_type', {}, 'invalid_request'],
    ['another grant', { ...fields, grant_type: 'client_credentials' }, 'unsupported_grant_type'],
    ['no requested type', { ...fields, requested_token_type: '' }, 'invalid_request'],
    [
      'a jwt requested',
      { ...fields, requested_token_type: fields.subject_token_type },
      'unsupported_token_type',
    ],
    ['no subject type', { ...fields, subject_token_type: undefined }, 'invalid_request'],
    [
      'an AWS request subject',
      { ...fields, subject_token_type: 'urn:ietf:params:aws:token-type:aws4_request' },
      'unsupported_token_type',
    ],
    ['no subject token', { ...fields, subject_token: undefined }, 'invalid_request'],
    ['a huge token', { ...fields, subject_token: 'a'.repeat(20000) }, 'too_large', 'request'],
    ['a bad scope', { ...fields, scope: 'a"b' }, 'invalid_request'],
    ['bad options', { ...fields, options: '[1]' }, 'invalid_request'],
    ['options not JSON', { ...fields, options: '{' }, 'invalid_request'],
    ['no audience', { ...fields, audience: undefined }, 'invalid_request'],
    [
      'a project id audience',
      { ...fields, audience: audience.replace('42', 'acme') },
      'invalid_request',
      'audience',
    ],
    [
      'an unknown provider',
      { ...fields, audience: `${audience}y` },
      'target_not_allowed',
      'audience',
    ],
  ]
  for (const [name, body, expected, check] of rows) {
    test(`refuses ${name}: ${expected}`, () => {
      const clean =
        body === undefined
          ? undefined
          : Object.fromEntries(Object.entries(body as object).filter(([, v]) => v !== undefined))
      const error = code(() => parseGoogleSts(clean, section))
      assert.equal(error.code, expected)
      if (check !== undefined) assert.equal(error.check, check)
    })
  }
  test('an unconfigured gcp section names no provider', () => {
    const error = code(() => parseGoogleSts(fields, undefined))
    assert.equal(error.code, 'target_not_allowed')
    assert.match(error.message, /no GCP provider is configured/)
  })
})

describe('parseGenerateAccessToken', () => {
  const input = {
    resource: 'sa@x.iam.gserviceaccount.com:generateAccessToken',
    authorization: 'Bearer t.o.k',
    body: { scope: ['s1', 's1'], lifetime: '600s' },
  }
  test('reads the bearer, scopes and lifetime', () => {
    const parsed = parseGenerateAccessToken(input, section, 'c')
    assert.equal(parsed.email, 'sa@x.iam.gserviceaccount.com')
    assert.equal(parsed.lifetimeSeconds, 600)
    assert.deepEqual(parsed.exchange.scopes, ['s1'])
    assert.equal(parsed.exchange.audience, 'storage')
    assert.equal(parsed.exchange.subjectToken, 't.o.k')
    assert.equal(
      parseGenerateAccessToken({ ...input, body: { scope: ['s'] } }, section).lifetimeSeconds,
      3600,
    )
  })
  const rows: [string, Record<string, unknown>, string][] = [
    ['another method', { resource: 'sa@x:signJwt' }, 'invalid_request'],
    ['no bearer', { authorization: undefined }, 'missing_credentials'],
    ['basic auth', { authorization: 'Basic abc' }, 'missing_credentials'],
    ['a huge bearer', { authorization: `Bearer ${'a'.repeat(20000)}` }, 'too_large'],
    ['no body', { body: undefined }, 'invalid_request'],
    ['no scope', { body: { scope: [] } }, 'invalid_request'],
    ['delegates', { body: { scope: ['s'], delegates: ['x'] } }, 'invalid_request'],
    ['a bad lifetime', { body: { scope: ['s'], lifetime: '1h' } }, 'invalid_request'],
    ['a long lifetime', { body: { scope: ['s'], lifetime: '3601s' } }, 'invalid_request'],
    ['an unknown account', { resource: 'other@x:generateAccessToken' }, 'target_not_allowed'],
  ]
  for (const [name, change, expected] of rows) {
    test(`refuses ${name}: ${expected}`, () => {
      const error = code(() =>
        parseGenerateAccessToken({ ...input, ...change } as typeof input, section),
      )
      assert.equal(error.code, expected)
    })
  }
  test("the lifetime bound uses Google's words", () => {
    const error = code(() =>
      parseGenerateAccessToken({ ...input, body: { scope: ['s'], lifetime: '7200s' } }, section),
    )
    assert.equal(error.message, 'The access token lifetime cannot exceed 3600 seconds.')
  })
})
