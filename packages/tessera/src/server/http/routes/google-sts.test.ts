import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeJwt, generateDpopKeyPair, jwkThumbprint } from '@tessera/verify'
import { tokenSha256 } from '../../../sts/index.ts'
import {
  cloudPlatform,
  createGoogleStsWorld,
  federatedAudience,
  projectNumber,
  providerName,
  serviceAccount,
  storage,
} from '../testing/google-sts-world.ts'

const exchange = 'urn:ietf:params:oauth:grant-type:token-exchange'
const jwt = 'urn:ietf:params:oauth:token-type:jwt'
const accessToken = 'urn:ietf:params:oauth:token-type:access_token'

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

function stsFields(subjectToken: string, audience = providerName): Record<string, string> {
  return {
    grant_type: exchange,
    audience,
    scope: cloudPlatform,
    requested_token_type: accessToken,
    subject_token: subjectToken,
    subject_token_type: jwt,
  }
}

describe('Google STS routes', () => {
  test('POST /v1/token (form) mints the federated token; generateAccessToken mints for the account', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const sts = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      payload: form(stsFields(`${world.ciToken({})}\n`)),
    })
    assert.equal(sts.statusCode, 200)
    const body = sts.json()
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'issued_token_type',
      'token_type',
    ])
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.issued_token_type, accessToken)
    const federated = decodeJwt(body.access_token, 16384).claims
    assert.equal(federated.aud, federatedAudience)
    assert.equal(federated.client_id, 'gcp:ci-pool:github')
    assert.equal(
      federated.sub,
      `principal://iam.googleapis.com/projects/${projectNumber}/locations/global/workloadIdentityPools/ci-pool/subject/repo:acme/app:ref:refs/heads/main`,
    )

    const sa = await world.app.inject({
      method: 'POST',
      url: `/v1/projects/-/serviceAccounts/${serviceAccount}:generateAccessToken`,
      headers: { authorization: `Bearer ${body.access_token}` },
      payload: { scope: [cloudPlatform], lifetime: '600s' },
    })
    assert.equal(sa.statusCode, 200)
    const minted = sa.json()
    const claims = decodeJwt(minted.accessToken, 16384).claims
    assert.equal(claims.aud, storage)
    assert.equal(claims.client_id, `gcp:sa:${serviceAccount}`)
    assert.equal(claims.scope, cloudPlatform)
    assert.equal((claims.exp as number) - world.now(), 600)
    assert.equal(minted.expireTime, new Date((claims.exp as number) * 1000).toISOString())
  })

  test('POST /v1/token accepts the JSON camelCase body', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const response = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      payload: {
        grantType: exchange,
        audience: providerName,
        requestedTokenType: accessToken,
        subjectToken: world.ciToken({}),
        subjectTokenType: jwt,
      },
    })
    assert.equal(response.statusCode, 200)
  })

  const rejections: {
    name: string
    claims?: Record<string, unknown>
    audience?: string
    code: string
    error: string
    description: string | RegExp
  }[] = [
    {
      name: 'an unknown provider is invalid_target',
      audience: providerName.replace('github', 'gitlab'),
      code: 'target_not_allowed',
      error: 'invalid_target',
      description:
        'The target service indicated by the "audience" parameters is invalid. This might either be because the pool or provider is disabled or deleted or because it doesn\'t exist.',
    },
    {
      name: 'an https: STS audience is invalid_request',
      audience: `https:${providerName}`,
      code: 'invalid_request',
      error: 'invalid_request',
      description: /^Invalid value for "audience"\. This value should be the full resource name/,
    },
    {
      name: 'a failed attribute condition is unauthorized_client',
      claims: { repository: 'acme/other' },
      code: 'condition_failed',
      error: 'unauthorized_client',
      description: 'The given credential is rejected by the attribute condition.',
    },
    {
      name: 'a token aud that is not the provider is invalid_grant',
      claims: { aud: 'https://sts.example.com' },
      code: 'audience_mismatch',
      error: 'invalid_grant',
      description:
        'The audience in ID Token [https://sts.example.com] does not match the expected audience.',
    },
    {
      name: 'a token aud list without the provider is invalid_grant',
      claims: { aud: ['https://a.test', 'https://b.test'] },
      code: 'audience_mismatch',
      error: 'invalid_grant',
      description:
        'The audience in ID Token [https://a.test, https://b.test] does not match the expected audience.',
    },
    {
      name: 'an expired token is stale',
      claims: { iat: 1_799_990_000, exp: 1_799_990_300 },
      code: 'expired',
      error: 'invalid_grant',
      description: 'ID Token issued at 1799990000 is stale to sign-in.',
    },
  ]
  for (const row of rejections) {
    test(row.name, async (t) => {
      const world = await createGoogleStsWorld()
      t.after(() => world.close())
      const response = await world.app.inject({
        method: 'POST',
        url: '/v1/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: form(stsFields(world.ciToken(row.claims ?? {}), row.audience)),
      })
      assert.equal(response.statusCode, 400)
      assert.equal(response.headers['tessera-error-code'], row.code)
      const body = response.json()
      assert.equal(body.error, row.error)
      if (typeof row.description === 'string') assert.equal(body.error_description, row.description)
      else assert.match(body.error_description, row.description)
    })
  }

  test('a subject token that is not a JWT is invalid_grant', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const response = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(stsFields('not-a-jwt')),
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.headers['tessera-error-code'], 'malformed')
    assert.equal(response.json().error, 'invalid_grant')
  })

  test('a DPoP-bound subject token is refused as a bearer token at /v1/token', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const jkt = jwkThumbprint(generateDpopKeyPair().publicJwk as Record<string, unknown>)
    // /v1/token takes no DPoP proof: a bound subject token has no proof there.
    const sts = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(stsFields(world.ciToken({ cnf: { jkt } }))),
    })
    assert.equal(sts.statusCode, 400)
    assert.equal(sts.headers['tessera-error-code'], 'bound_token_as_bearer')
    assert.equal(sts.json().error, 'invalid_grant')
  })

  test('generateAccessToken refuses an unknown account, a foreign bearer and no bearer', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const call = (email: string, authorization?: string) =>
      world.app.inject({
        method: 'POST',
        url: `/v1/projects/-/serviceAccounts/${email}:generateAccessToken`,
        headers: authorization === undefined ? {} : { authorization },
        payload: { scope: [cloudPlatform] },
      })
    const unknown = await call('other@acme-prod.iam.gserviceaccount.com', 'Bearer x.y.z')
    assert.equal(unknown.statusCode, 403)
    assert.equal(unknown.headers['tessera-error-code'], 'target_not_allowed')
    assert.deepEqual(unknown.json(), {
      error: {
        code: 403,
        message:
          "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
        status: 'PERMISSION_DENIED',
      },
    })
    // A bearer Tessera does not accept (here: the CI token, for another audience) is a 401.
    const foreign = await call(serviceAccount, `Bearer ${world.ciToken({ aud: 'https://x.test' })}`)
    assert.equal(foreign.statusCode, 401)
    assert.equal(foreign.headers['tessera-error-code'], 'audience_mismatch')
    assert.equal(
      foreign.json().error.message.startsWith('Request had invalid authentication'),
      true,
    )
    const none = await call(serviceAccount)
    assert.equal(none.statusCode, 401)
    assert.equal(none.headers['tessera-error-code'], 'missing_credentials')
    assert.equal(none.json().error.status, 'UNAUTHENTICATED')
  })

  test('a refusal decided before the engine is audited once, under the request id', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const token = world.ciToken({})
    const response = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/json' },
      payload: stsFields(token, providerName.replace('/providers/github', '/providers/gitlab')),
    })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_target')
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.equal(page.records.length, 1)
    const [record] = page.records
    assert.equal(record?.dialect, 'google-sts')
    assert.equal(record?.decision, 'deny')
    const gitlab = providerName.replace('/providers/github', '/providers/gitlab')
    assert.equal(record?.code, 'target_not_allowed')
    assert.equal(response.headers['tessera-error-code'], 'target_not_allowed')
    assert.equal(record?.check, 'audience')
    assert.deepEqual(record?.expected, [providerName])
    assert.equal(record?.actual, gitlab)
    assert.equal(record?.message, `audience "${gitlab}" names no configured provider`)
    assert.equal(record?.presented?.tokenSha256, tokenSha256(token))
    assert.equal(JSON.stringify(record).includes(token), false)
  })

  test('an engine refusal is audited once', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const response = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: form(stsFields(world.ciToken({ aud: 'https://x.test' }))),
    })
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.deepEqual(
      page.records.map((r) => [r.decision, r.code]),
      [['deny', 'audience_mismatch']],
    )
  })

  test('a JSON body over the limit is 413 with Tessera headers, audited; an unknown method 404 too', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const large = await world.app.inject({
      method: 'POST',
      url: '/v1/token',
      headers: { 'content-type': 'application/json' },
      payload: { ...stsFields('x'), audience: 'x'.repeat(70_000) },
    })
    assert.equal(large.statusCode, 413)
    assert.equal(large.headers['tessera-error-code'], 'too_large')
    assert.equal(large.json().error, 'invalid_request')
    const page = await world.stores.audit.query({
      correlationId: large.headers['x-correlation-id'] as string,
    })
    assert.deepEqual(
      page.records.map((r) => [r.dialect, r.code, r.check]),
      [['google-sts', 'too_large', 'request']],
    )
    // GET is no endpoint: the transport's 404 carries Tessera's code all the same.
    const get = await world.app.inject({ method: 'GET', url: '/v1/token' })
    assert.equal(get.statusCode, 404)
    assert.equal(get.headers['tessera-error-code'], 'invalid_request')
  })

  test('a generateAccessToken refusal before the engine is audited with the bearer hash', async (t) => {
    const world = await createGoogleStsWorld()
    t.after(() => world.close())
    const response = await world.app.inject({
      method: 'POST',
      url: '/v1/projects/-/serviceAccounts/other@acme-prod.iam.gserviceaccount.com:generateAccessToken',
      headers: { authorization: 'Bearer x.y.z' },
      payload: { scope: [cloudPlatform] },
    })
    assert.equal(response.statusCode, 403)
    const page = await world.stores.audit.query({
      correlationId: response.headers['x-correlation-id'] as string,
    })
    assert.deepEqual(
      page.records.map((r) => [r.dialect, r.code, r.presented?.tokenSha256]),
      [['google-iam-credentials', 'target_not_allowed', tokenSha256('x.y.z')]],
    )
  })
})
