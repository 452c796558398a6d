import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { entraExchange, jwtBearerAssertionType, parseEntraTokenRequest } from './parse.ts'
import { entraWireFor } from './wire-codes.ts'

const tenant = 'contoso.onmicrosoft.com'
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
// Parsing never verifies: a well-formed JWS with any signature is enough here.
const assertion = `${encode({ alg: 'RS256', kid: 'k1' })}.${encode({ iss: 'https://i.example', sub: 's' })}.c2ln`

function form(fields: Record<string, string | undefined>): URLSearchParams {
  const all: Record<string, string | undefined> = {
    grant_type: 'client_credentials',
    client_id: 'app-1',
    client_assertion_type: jwtBearerAssertionType,
    client_assertion: assertion,
    scope: 'https://payments.example.org/.default',
    ...fields,
  }
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(all)) if (v !== undefined) params.set(k, v)
  return params
}

function refusal(fields: Record<string, string | undefined>) {
  try {
    parseEntraTokenRequest(form(fields), tenant)
  } catch (error) {
    assert.ok(isTesseraError(error))
    return { code: error.code, aadsts: entraWireFor(error).aadsts, error }
  }
  assert.fail('expected a refusal')
}

describe('parseEntraTokenRequest', () => {
  test('reads what msal-node sends, ignoring its x-client-* and telemetry fields', () => {
    const body = form({})
    body.set('x-client-SKU', 'msal.js.node')
    body.set('client-request-id', '5b0c8f7e-0000-4000-8000-000000000000')
    const request = parseEntraTokenRequest(body, tenant)
    assert.equal(request.tenant, tenant)
    assert.equal(request.clientId, 'app-1')
    assert.equal(request.assertion, assertion)
    assert.equal(request.resource, 'https://payments.example.org')
    assert.equal(request.scope, 'https://payments.example.org/.default')
    assert.equal(request.decoded.claims.iss, 'https://i.example')
    assert.equal(request.decoded.header.kid, 'k1')
  })

  test('an api:// application id URI is a resource too', () => {
    const request = parseEntraTokenRequest(form({ scope: 'api://payments/.default' }), tenant)
    assert.equal(request.resource, 'api://payments')
  })

  const rows: [string, Record<string, string | undefined>, string, number][] = [
    ['missing grant_type', { grant_type: undefined }, 'invalid_request', 900144],
    ['another grant type', { grant_type: 'password' }, 'unsupported_grant_type', 70003],
    ['missing client_id', { client_id: undefined }, 'invalid_request', 900144],
    ['missing client_assertion', { client_assertion: undefined }, 'invalid_request', 7000218],
    [
      'wrong client_assertion_type',
      { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' },
      'invalid_request',
      7000218,
    ],
    [
      'missing client_assertion_type',
      { client_assertion_type: undefined },
      'invalid_request',
      7000218,
    ],
    ['missing scope', { scope: undefined }, 'invalid_request', 900144],
    [
      'a scope without /.default',
      { scope: 'https://payments.example.org' },
      'scope_not_allowed',
      1002012,
    ],
    ['two scopes', { scope: 'a/.default b/.default' }, 'scope_not_allowed', 1002012],
    ['a bare /.default', { scope: '/.default' }, 'scope_not_allowed', 1002012],
    ['an assertion that is not a JWS', { client_assertion: 'not-a-jwt' }, 'malformed', 50027],
    [
      'an oversized assertion',
      { client_assertion: `${'a'.repeat(17 * 1024)}.b.c` },
      'too_large',
      50027,
    ],
  ]
  for (const [name, fields, code, aadsts] of rows) {
    test(`refuses ${name}: ${code}, AADSTS${aadsts}`, () => {
      const got = refusal(fields)
      assert.deepEqual({ code: got.code, aadsts: got.aadsts }, { code, aadsts })
    })
  }

  test('a missing parameter is named, as AADSTS900144 does', () => {
    const { error } = refusal({ client_id: undefined })
    assert.equal(error.message, 'client_id is missing')
    assert.equal(
      entraWireFor(error).describe({ tenant, now: 0 }, error),
      "The request body must contain the following parameter: 'client_id'.",
    )
  })

  test('a repeated parameter is refused (RFC 6749 §3.2)', () => {
    const body = form({})
    body.append('client_id', 'app-2')
    assert.throws(() => parseEntraTokenRequest(body, tenant), { code: 'invalid_request' })
  })
})

describe('entraExchange', () => {
  test('the assertion is the subject token, restricted to the matched policy', () => {
    const request = parseEntraTokenRequest(form({}), tenant)
    const exchange = entraExchange(
      request,
      { policy: 'entra:app-1:deployer', audience: 'https://payments.example.org' },
      'corr-1',
    )
    assert.deepEqual(exchange, {
      dialect: 'entra',
      correlationId: 'corr-1',
      subjectToken: assertion,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:jwt',
      audience: 'https://payments.example.org',
      scopes: [],
      clientId: 'app-1',
      policy: 'entra:app-1:deployer',
    })
  })
})
