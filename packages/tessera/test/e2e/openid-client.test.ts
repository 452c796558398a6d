// A real client against a real Tessera (issue #4, Acceptance 2): openid-client 6.9 discovers the
// issuer over http on loopback and performs the RFC 8693 exchange; oauth4webapi authenticates
// with form-url-encoded Basic credentials; jose's remote key set verifies what was issued. What
// the clients put on the wire is captured through their customFetch hook and asserted, so a
// client upgrade that changes it shows up here (see ../shared/reference/sdk-wire-facts.md §4).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose'
import * as oauth from 'oauth4webapi'
import * as client from 'openid-client'
import {
  accessTokenType,
  auditRecordFor,
  auditRecords,
  identityToken,
  jwtTokenType,
  startWorld,
  tokenExchangeGrant,
  type World,
} from '../support/e2e-world.ts'

const payments = 'https://payments.example.org'

let world: World
before(async () => {
  world = await startWorld({
    store: 'sqlite',
    body: ({ url }) => `trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers: []
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: workloads
    issuer: ${url}
    subject: "spiffe://example.org/*"
    targets: [payments-api]
    scopes: [payments.read, payments.write]
`,
  })
})
after(() => world.close())

/** One request a client sent, as its customFetch hook saw it. */
interface Sent {
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

/** A customFetch that records each request and then sends it with the global fetch. */
function recordingFetch(sent: Sent[]): client.CustomFetch {
  return (url, options) => {
    sent.push({
      url,
      method: options.method,
      headers: Object.fromEntries(
        Object.entries(options.headers).map(([k, v]) => [k.toLowerCase(), v]),
      ),
      body: options.body === undefined ? undefined : String(options.body),
    })
    return fetch(url, options as RequestInit)
  }
}

const exchangeParameters = (subjectToken: string) => ({
  subject_token: subjectToken,
  subject_token_type: jwtTokenType,
  audience: payments,
  scope: 'payments.read payments.write',
})

/** jose's view of an issued access token: the remote JWKS, the exact issuer and audience. */
function joseVerify(token: string) {
  const jwks = createRemoteJWKSet(new URL(`${world.url}/.well-known/jwks.json`))
  return jwtVerify(token, jwks, {
    issuer: world.url,
    audience: payments,
    typ: 'at+jwt',
    algorithms: ['ES256'],
    currentDate: new Date(world.now() * 1000),
  })
}

describe('openid-client 6.9 against Tessera on loopback', () => {
  it('discovers the issuer over http (allowInsecureRequests) with the exact issuer check', async () => {
    const sent: Sent[] = []
    const config = await client.discovery(
      new URL(world.url),
      'payments-deployer',
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: recordingFetch(sent),
      },
    )
    const metadata = config.serverMetadata()
    assert.equal(metadata.issuer, world.url)
    assert.equal(metadata.token_endpoint, `${world.url}/oauth2/token`)
    assert.equal(metadata.jwks_uri, `${world.url}/.well-known/jwks.json`)
    assert.deepEqual(metadata.grant_types_supported, [tokenExchangeGrant])
    assert.equal(sent.length, 1)
    assert.equal(sent[0]?.url, `${world.url}/.well-known/openid-configuration`)
    assert.equal(sent[0]?.headers.accept, 'application/json')
    assert.match(sent[0]?.headers['user-agent'] ?? '', /^openid-client\/v6\.9\./)
  })

  it('refuses plain http without allowInsecureRequests (the client side of the rule)', async () => {
    await assert.rejects(client.discovery(new URL(world.url), 'payments-deployer'), {
      code: 'OAUTH_HTTP_REQUEST_FORBIDDEN',
    })
  })

  it('performs the token exchange as a public client (None): scope sent with "+", token_type "bearer"', async () => {
    const sent: Sent[] = []
    const config = await client.discovery(
      new URL(world.url),
      'payments-deployer',
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
        [client.customFetch]: recordingFetch(sent),
      },
    )
    const subject = await identityToken(world, 'spiffe://example.org/deployer')
    const response = await client.genericGrantRequest(
      config,
      tokenExchangeGrant,
      exchangeParameters(subject),
    )
    // openid-client lowercases token_type (Tessera sends "Bearer") and requires it.
    assert.equal(response.token_type, 'bearer')
    assert.equal(response.issued_token_type, accessTokenType)
    assert.equal(response.expires_in, 900)
    // expiresIn() counts down on the wall clock from the response's arrival, flooring to whole
    // seconds: one millisecond elapsed under load already reads 899.
    assert.ok([899, 900].includes(response.expiresIn() as number), String(response.expiresIn()))
    assert.equal(response.scope, 'payments.read payments.write')
    assert.equal(typeof response.access_token, 'string')

    const request = sent.at(-1) as Sent
    assert.equal(request.url, `${world.url}/oauth2/token`)
    assert.equal(request.method, 'POST')
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8')
    assert.equal(request.headers.accept, 'application/json')
    assert.equal(request.headers.authorization, undefined)
    const form = request.body ?? ''
    assert.ok(form.includes('scope=payments.read+payments.write'), form)
    assert.ok(form.includes('client_id=payments-deployer'), form)
    assert.ok(form.includes(`grant_type=${encodeURIComponent(tokenExchangeGrant)}`), form)

    const { payload, protectedHeader } = await joseVerify(response.access_token)
    assert.equal(protectedHeader.typ, 'at+jwt')
    assert.equal(protectedHeader.alg, 'ES256')
    assert.equal(payload.sub, 'spiffe://example.org/deployer')
    // client_id names the granting policy; the client's own (unauthenticated) id is recorded.
    assert.equal(payload.client_id, 'workloads')
    assert.equal(payload.scope, 'payments.read payments.write')
    const [record] = await auditRecords(world.url, { kind: 'exchange', limit: '1' })
    assert.equal(record?.clientId, 'payments-deployer')
  })

  it('client_secret_post (a secret given to discovery): the id is recorded, the secret ignored and never echoed', async () => {
    const sent: Sent[] = []
    const config = await client.discovery(new URL(world.url), 'ci-client', 'ci-secret', undefined, {
      execute: [client.allowInsecureRequests],
      [client.customFetch]: recordingFetch(sent),
    })
    const subject = await identityToken(world, 'spiffe://example.org/ci')
    const response = await client.genericGrantRequest(
      config,
      tokenExchangeGrant,
      exchangeParameters(subject),
    )
    const form = new URLSearchParams(sent.at(-1)?.body ?? '')
    assert.equal(form.get('client_id'), 'ci-client')
    assert.equal(form.get('client_secret'), 'ci-secret')
    const { payload } = await joseVerify(response.access_token)
    assert.equal(payload.client_id, 'workloads')
    assert.ok(!JSON.stringify(payload).includes('ci-secret'))
    const [record] = await auditRecords(world.url, { kind: 'exchange', limit: '1' })
    assert.equal(record?.clientId, 'ci-client')
    assert.ok(!JSON.stringify(record).includes('ci-secret'))
  })

  it('an error response surfaces as ResponseBodyError with error, error_description and Tessera code in cause', async () => {
    const config = await client.discovery(
      new URL(world.url),
      'payments-deployer',
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    )
    const subject = await identityToken(world, 'spiffe://example.org/deployer')
    const error = await client
      .genericGrantRequest(config, tokenExchangeGrant, {
        ...exchangeParameters(subject),
        scope: 'payments.read payments.admin',
      })
      .then(
        () => assert.fail('the exchange was expected to be refused'),
        (caught: unknown) => caught,
      )
    assert.ok(error instanceof client.ResponseBodyError, String(error))
    assert.equal(error.code, 'OAUTH_RESPONSE_BODY_ERROR')
    assert.equal(error.status, 400)
    assert.equal(error.error, 'invalid_scope')
    assert.equal(
      error.error_description,
      "a requested scope is not allowed by the policy (policy 'workloads')",
    )
    const body = error.cause as Record<string, unknown>
    assert.equal(body.code, 'scope_not_allowed')
    assert.equal(body.policy, 'workloads')
    assert.equal(typeof body.correlation_id, 'string')
    const record = await auditRecordFor(world.url, body.correlation_id as string)
    assert.equal(record.code, 'scope_not_allowed')
  })
})

describe('oauth4webapi 3.8 ClientSecretBasic', () => {
  it('sends form-url-encoded Basic credentials ("-" as %2D) and Tessera decodes the client id', async () => {
    const issuer = new URL(world.url)
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    )
    const sent: Sent[] = []
    const oauthClient: oauth.Client = { client_id: 'my-client' }
    const subject = await identityToken(world, 'spiffe://example.org/basic')
    const response = await oauth.genericTokenEndpointRequest(
      as,
      oauthClient,
      oauth.ClientSecretBasic('my-secret'),
      tokenExchangeGrant,
      exchangeParameters(subject),
      { [oauth.allowInsecureRequests]: true, [oauth.customFetch]: recordingFetch(sent) },
    )
    const result = await oauth.processGenericTokenEndpointResponse(as, oauthClient, response)
    assert.equal(result.token_type, 'bearer')

    const request = sent.at(-1) as Sent
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from('my%2Dclient:my%2Dsecret').toString('base64')}`,
    )
    assert.equal(new URLSearchParams(request.body ?? '').get('client_id'), null)
    const { payload } = await joseVerify(result.access_token)
    assert.equal(payload.client_id, 'workloads')
    const record = await auditRecordFor(
      world.url,
      response.headers.get('x-correlation-id') as string,
    )
    assert.equal(record.clientId, 'my-client')
  })
})

describe("jose's remote JWKS verifies what Tessera issues", () => {
  it('verifies a workload identity token (typ JWT) and refuses it as an at+jwt', async () => {
    const identity = await identityToken(world, 'spiffe://example.org/jose')
    const jwks = createRemoteJWKSet(new URL(`${world.url}/.well-known/jwks.json`))
    const { payload } = await jwtVerify(identity, jwks, {
      issuer: world.url,
      audience: world.url,
      typ: 'JWT',
      currentDate: new Date(world.now() * 1000),
    })
    assert.equal(payload.sub, 'spiffe://example.org/jose')
    assert.equal(decodeProtectedHeader(identity).kid !== undefined, true)
    await assert.rejects(
      jwtVerify(identity, jwks, { typ: 'at+jwt', currentDate: new Date(world.now() * 1000) }),
      joseErrors.JWTClaimValidationFailed,
    )
  })
})
