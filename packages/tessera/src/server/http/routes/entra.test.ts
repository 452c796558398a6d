import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { decodeJwt } from '@tessera/verify'
import { tokenSha256 } from '../../../sts/index.ts'
import {
  clientId,
  createEntraWorld,
  type EntraWorld,
  ficSubject,
  ledger,
  payments,
  tenantId,
} from '../testing/entra-world.ts'

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
let world: EntraWorld

before(async () => {
  world = await createEntraWorld()
})
after(() => world.close())

function post(fields: Record<string, string | undefined>, tenant = tenantId) {
  const body = new URLSearchParams()
  const all = {
    client_id: clientId,
    scope: `${payments}/.default`,
    grant_type: 'client_credentials',
    client_assertion: world.assertion(),
    client_assertion_type: assertionType,
    ...fields,
  }
  for (const [k, v] of Object.entries(all)) if (v !== undefined) body.set(k, v)
  return world.app.inject({
    method: 'POST',
    url: `/${tenant}/oauth2/v2.0/token?client-request-id=5b0c8f7e`,
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
    payload: body.toString(),
  })
}

async function aadsts(fields: Record<string, string | undefined>, tenant?: string) {
  const response = await post(fields, tenant)
  const body = response.json() as {
    error: string
    error_codes: number[]
    error_description: string
  }
  return {
    status: response.statusCode,
    error: body.error,
    codes: body.error_codes,
    code: response.headers['tessera-error-code'],
    hint: response.headers['tessera-error-hint'],
    description: body.error_description,
  }
}

describe('POST /{tenant}/oauth2/v2.0/token', () => {
  test('a matching assertion gets a token for the scope resource, minted under the credential policy', async () => {
    const response = await post({})
    assert.equal(response.statusCode, 200)
    const body = response.json() as Record<string, unknown>
    assert.deepEqual(Object.keys(body), [
      'token_type',
      'expires_in',
      'ext_expires_in',
      'access_token',
    ])
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, body.ext_expires_in)
    const { claims } = decodeJwt(body.access_token as string, 16384)
    assert.equal(claims.aud, payments)
    assert.equal(claims.sub, ficSubject)
    assert.equal(claims.client_id, `entra:${clientId}:payments-deployer`)
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.equal(page.records[0]?.decision, 'allow')
    assert.equal(page.records[0]?.dialect, 'entra')
    assert.equal(page.records[0]?.clientId, clientId)
    assert.equal(page.records[0]?.policy, `entra:${clientId}:payments-deployer`)
  })

  test('a subject differing only in case: AADSTS7002138, 401, with the case hint', async () => {
    const got = await aadsts({
      client_assertion: world.assertion({ sub: ficSubject.toLowerCase() }),
    })
    assert.deepEqual(
      [got.status, got.error, got.codes, got.code, got.hint],
      [401, 'invalid_client', [7002138], 'subject_mismatch', 'case'],
    )
    assert.match(got.description, /^AADSTS7002138: .*'system:serviceaccount:payments:deployer'/)
  })

  test('an expired assertion (verified by the engine after the match): AADSTS700024, audited', async () => {
    const assertion = world.assertion({
      exp: world.now() - 600,
      iat: world.now() - 900,
      nbf: world.now() - 900,
    })
    const response = await post({ client_assertion: assertion })
    assert.equal(response.statusCode, 401)
    const body = response.json() as { error_codes: number[]; error_description: string }
    assert.deepEqual(body.error_codes, [700024])
    assert.match(body.error_description, /expiry time of assertion 2027-01-15T07:50:00\.0000000Z/)
    assert.equal(response.headers['tessera-error-code'], 'expired')
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.equal(page.records[0]?.decision, 'deny')
    assert.equal(page.records[0]?.code, 'expired')
  })

  test('a signature the published key does not verify: AADSTS700027', async () => {
    const got = await aadsts({ client_assertion: world.forgedAssertion() })
    assert.deepEqual([got.status, got.codes, got.code], [401, [700027], 'bad_signature'])
  })

  test('a kid the issuer does not publish: AADSTS7000272', async () => {
    const got = await aadsts({ client_assertion: world.assertion({}, { kid: 'rotated-away' }) })
    assert.deepEqual([got.status, got.codes, got.code], [401, [7000272], 'unknown_key'])
    assert.match(got.description, /identifier rotated-away used to sign/)
  })

  const rows: [
    string,
    Record<string, string | undefined>,
    string | undefined,
    number,
    number,
    string,
  ][] = [
    ['an unknown tenant', {}, 'fabrikam.onmicrosoft.com', 400, 90002, 'no_matching_policy'],
    [
      'an unknown client',
      { client_id: 'not-registered' },
      undefined,
      400,
      700016,
      'no_matching_policy',
    ],
    [
      'a resource of another service',
      { scope: `${ledger}/.default` },
      undefined,
      400,
      500011,
      'target_not_allowed',
    ],
    [
      'a scope without /.default',
      { scope: payments },
      undefined,
      400,
      1002012,
      'scope_not_allowed',
    ],
    [
      'no client assertion',
      { client_assertion: undefined },
      undefined,
      401,
      7000218,
      'invalid_request',
    ],
    ['no client_id', { client_id: undefined }, undefined, 400, 900144, 'invalid_request'],
    [
      'another grant type',
      { grant_type: 'authorization_code' },
      undefined,
      400,
      70003,
      'unsupported_grant_type',
    ],
    [
      'an assertion that is not a JWT',
      { client_assertion: 'abc' },
      undefined,
      400,
      50027,
      'malformed',
    ],
  ]
  for (const [name, fields, tenant, status, code, tessera] of rows) {
    test(`${name}: AADSTS${code}, ${status}`, async () => {
      const got = await aadsts(fields, tenant)
      assert.deepEqual([got.status, got.codes, got.code], [status, [code], tessera])
      assert.ok(got.description.startsWith(`AADSTS${code}: `))
    })
  }

  test('the issuer of another credential with its own audience and a wrong subject: AADSTS70021', async () => {
    const got = await aadsts({
      client_assertion: world.assertion({
        sub: 'system:serviceaccount:other:x',
        aud: 'api://elsewhere',
      }),
    })
    assert.deepEqual([got.status, got.codes], [401, [70021]])
    assert.match(
      got.description,
      /Assertion Issuer: 'https:\/\/oidc\.workloads\.example\.com'\. Assertion Subject: 'system:serviceaccount:other:x'\. Assertion Audience: 'api:\/\/elsewhere'\./,
    )
  })

  test('a body that is not form-encoded is refused in Entra JSON, 415', async () => {
    const response = await world.app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
      headers: { 'content-type': 'application/json' },
      payload: '{"grant_type":"client_credentials"}',
    })
    assert.equal(response.statusCode, 415)
    const body = response.json() as { error_codes: number[]; error: string }
    assert.deepEqual(body.error_codes, [9000411])
    assert.equal(response.headers['tessera-error-code'], 'invalid_request')
  })

  test('a refusal decided before the engine is audited once, under the trace id', async () => {
    const assertion = world.assertion({ sub: ficSubject.toLowerCase() })
    const response = await post({ client_assertion: assertion })
    assert.equal(response.statusCode, 401)
    const body = response.json() as { trace_id: string; correlation_id: string }
    assert.equal(body.trace_id, response.headers['x-correlation-id'])
    const page = await world.stores.audit.query({ correlationId: body.trace_id })
    assert.equal(page.records.length, 1)
    const [record] = page.records
    assert.equal(record?.dialect, 'entra')
    assert.equal(record?.kind, 'exchange')
    assert.equal(record?.decision, 'deny')
    assert.equal(record?.clientId, clientId)
    assert.equal(record?.code, 'subject_mismatch')
    assert.equal(record?.check, 'federated_credential')
    assert.equal(record?.hint, 'case')
    assert.equal(record?.actual, ficSubject.toLowerCase())
    assert.deepEqual(record?.expected, [ficSubject])
    assert.equal(record?.presented?.tokenSha256, tokenSha256(assertion))
    assert.equal(JSON.stringify(record).includes(assertion), false)
  })

  test('an engine refusal is audited once', async () => {
    const response = await post({ client_assertion: world.forgedAssertion() })
    assert.equal(response.headers['tessera-error-code'], 'bad_signature')
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.deepEqual(
      page.records.map((r) => [r.decision, r.code]),
      [['deny', 'bad_signature']],
    )
  })

  test('a body over the limit is refused in Entra JSON with Tessera headers, 413, audited', async () => {
    const response = await post({ client_id: 'x'.repeat(70_000) })
    assert.equal(response.statusCode, 413)
    assert.equal(response.headers['tessera-error-code'], 'too_large')
    const body = response.json() as { error: string; trace_id: string }
    assert.equal(typeof body.error, 'string')
    const page = await world.stores.audit.query({ correlationId: body.trace_id })
    assert.deepEqual(
      page.records.map((r) => [r.dialect, r.code, r.check, r.clientId, r.presented]),
      [['entra', 'too_large', 'request', undefined, undefined]],
    )
  })

  test('an empty body is refused in Entra JSON, 400', async () => {
    const response = await world.app.inject({
      method: 'POST',
      url: `/${tenantId}/oauth2/v2.0/token`,
    })
    assert.equal(response.statusCode, 400)
    assert.deepEqual((response.json() as { error_codes: number[] }).error_codes, [9000411])
  })
})

describe('GET /{tenant}/v2.0/.well-known/openid-configuration', () => {
  test("names the tenant's token endpoint on Tessera's origin, with every field MSAL requires", async () => {
    const response = await world.app.inject({
      method: 'GET',
      url: `/${tenantId}/v2.0/.well-known/openid-configuration`,
    })
    assert.equal(response.statusCode, 200)
    const doc = response.json() as Record<string, unknown>
    assert.equal(doc.token_endpoint, `${world.origin}/${tenantId}/oauth2/v2.0/token`)
    assert.equal(doc.issuer, `${world.origin}/${tenantId}/v2.0`)
    assert.equal(doc.authorization_endpoint, `${world.origin}/${tenantId}/oauth2/v2.0/authorize`)
    assert.equal(doc.jwks_uri, `${world.origin}/.well-known/jwks.json`)
  })

  test('an unknown tenant gets AADSTS90002', async () => {
    const response = await world.app.inject({
      method: 'GET',
      url: '/contoso/v2.0/.well-known/openid-configuration',
    })
    assert.equal(response.statusCode, 400)
    const body = response.json() as { error: string; error_codes: number[] }
    assert.deepEqual([body.error, body.error_codes], ['invalid_tenant', [90002]])
  })
})
