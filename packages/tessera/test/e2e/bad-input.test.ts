// Bad input end to end (issue #4, Acceptance "Bad input"): an oversized body, a malformed form,
// a 1 MB token, unknown grant types and configuration files with errors each get a clear error
// and change nothing.
//
// What "nothing changed" means here, decided and asserted:
// - A request refused before it is an exchange (transport: body size, media type, form syntax;
//   the dialect: grant type, missing or repeated parameters, the token size cap) is NOT
//   audited: it names no identity and no decision was taken, and auditing unauthenticated junk
//   would let anyone grow the audit log. It is logged at warn (code + correlation id), so it
//   leaves a trace at the default levels, and answered with the correlation id.
// - A request the engine refuses (the subject token was read: malformed, bad signature, …) IS
//   audited, with the token's SHA-256 and never the token.
// - Neither consumes anything: a single-use subject token or a join token sent in a refused
//   request is still accepted afterwards, and the server serves the next valid exchange.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isTesseraError, type TesseraError } from '@tessera/verify'
import { startTessera } from '../../src/app.ts'
import {
  allAuditRecords,
  assertHoldsNoToken,
  auditRecordFor,
  freePort,
  type JsonAnswer,
  joinTokenViaStore,
  jwtTokenType,
  memoryLogger,
  postIdentity,
  postRaw,
  postTokenExchange,
  startWorld,
  tokenExchangeGrant,
  type World,
} from '../support/e2e-world.ts'

const ciIssuer = 'https://ci.example.com'
const payments = 'https://payments.example.org'
const twoMegabytes = 2 * 1024 * 1024
const oneMegabyte = 1024 * 1024

const body = ({
  url,
  jwks,
}: {
  url: string
  jwks: (name: string) => string
}) => `trustDomain: example.org
issuer:
  keyEncryptionKey: env:TESSERA_TEST_KEK
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: ${jwks('ci')}
    algorithms: [ES256]
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: ci-deploy
    issuer: ${ciIssuer}
    subject: "repo:acme/payments:*"
    targets: [payments-api]
    scopes: [payments.read]
    singleUse: true
  - name: workloads
    issuer: ${url}
    subject: "spiffe://example.org/*"
    targets: [payments-api]
`

let world: World
before(async () => {
  // 2 MB, so that a 1 MB subject token gets through the transport and the token cap answers.
  world = await startWorld({ issuers: ['ci'], body, bodyLimitBytes: twoMegabytes })
})
after(() => world.close())

function ciToken(): string {
  return world.issuer('ci').sign({ iss: ciIssuer, aud: world.url, sub: 'repo:acme/payments:main' })
}

const validParams = (subjectToken: string) => ({
  grant_type: tokenExchangeGrant,
  subject_token: subjectToken,
  subject_token_type: jwtTokenType,
  audience: payments,
})

function form(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}

function postForm(text: string | Buffer): Promise<JsonAnswer> {
  return postRaw(world.url, '/oauth2/token', 'application/x-www-form-urlencoded', text)
}

/** The correlation id of an answer, after checking the header and the body agree. */
function correlationOf(answer: JsonAnswer): string {
  const id = answer.body.correlation_id ?? answer.body.correlationId
  assert.equal(typeof id, 'string')
  assert.equal(answer.headers.get('x-correlation-id'), id)
  return id as string
}

/**
 * Runs a refused request and checks that nothing changed: no audit record was written, the
 * refusal was logged with its code under the correlation id, and `subjectToken` (single use)
 * is still accepted once afterwards.
 */
async function refusedBeforeTheEngine(
  subjectToken: string,
  send: () => Promise<JsonAnswer>,
): Promise<JsonAnswer> {
  const before = (await allAuditRecords(world.url)).length
  const answer = await send()
  const correlationId = correlationOf(answer)
  assert.equal((await allAuditRecords(world.url)).length, before, 'an audit record was written')
  const logged = world.logs.find(
    (l) => l.correlationId === correlationId && l.msg === 'request refused',
  )
  assert.equal(logged?.code, answer.body.code)
  // warn: nothing else records it (an audited refusal is logged at info).
  assert.equal(logged?.level, 40)
  assertHoldsNoToken(logged, subjectToken)
  await servesAValidExchange(subjectToken)
  return answer
}

/** The server still exchanges `subjectToken` (and the exchange is audited). */
async function servesAValidExchange(subjectToken: string): Promise<void> {
  const answer = await postTokenExchange(world.url, validParams(subjectToken))
  assert.equal(answer.status, 200, JSON.stringify(answer.body))
  const record = await auditRecordFor(world.url, answer.headers.get('x-correlation-id') as string)
  assert.equal(record.decision, 'allow')
}

describe('oversized bodies', () => {
  it('answers a token request over bodyLimitBytes with 413 too_large in the RFC 6749 format', async () => {
    const token = ciToken()
    const answer = await refusedBeforeTheEngine(token, () =>
      postForm(`${form(validParams(token))}&padding=${'a'.repeat(twoMegabytes)}`),
    )
    assert.equal(answer.status, 413)
    assert.deepEqual(answer.body, {
      error: 'invalid_request',
      error_description: 'request body is larger than the limit',
      code: 'too_large',
      correlation_id: correlationOf(answer),
    })
  })

  it('answers an identity request over bodyLimitBytes with 413 too_large, the join token unused', async () => {
    const token = ciToken()
    const joinToken = await joinTokenViaStore(world, 'spiffe://example.org/big')
    const answer = await refusedBeforeTheEngine(token, () =>
      postRaw(
        world.url,
        '/v1/identity/token',
        'application/json',
        JSON.stringify({ joinToken, audience: world.url, padding: 'a'.repeat(twoMegabytes) }),
      ),
    )
    assert.equal(answer.status, 413)
    assert.equal(answer.body.error, 'invalid_request')
    assert.equal(answer.body.code, 'too_large')
    assert.equal((await postIdentity(world.url, { joinToken, audience: world.url })).status, 200)
  })
})

describe('malformed forms', () => {
  it('refuses a malformed percent-escape with invalid_request, the subject token unused', async () => {
    const token = ciToken()
    const answer = await refusedBeforeTheEngine(token, () =>
      postForm(`${form(validParams(token))}&scope=payments%2.read`),
    )
    assert.equal(answer.status, 400)
    assert.deepEqual(answer.body, {
      error: 'invalid_request',
      error_description:
        'form body has a malformed percent-escape: expected % followed by two hex digits',
      code: 'invalid_request',
      correlation_id: correlationOf(answer),
    })
  })

  it('refuses percent-escapes that are not UTF-8 with invalid_request', async () => {
    const token = ciToken()
    const answer = await refusedBeforeTheEngine(token, () =>
      postForm(`${form(validParams(token))}&scope=%C3%28`),
    )
    assert.equal(answer.status, 400)
    assert.equal(answer.body.code, 'invalid_request')
    assert.equal(
      answer.body.error_description,
      'form body has percent-escapes that are not valid UTF-8',
    )
  })

  it('refuses a parameter sent twice with invalid_request', async () => {
    const token = ciToken()
    const answer = await refusedBeforeTheEngine(token, () =>
      postForm(`${form(validParams(token))}&audience=${encodeURIComponent(payments)}`),
    )
    assert.equal(answer.status, 400)
    assert.equal(answer.body.error, 'invalid_request')
    assert.equal(answer.body.code, 'invalid_request')
  })

  it('refuses a JSON body at the token endpoint with 415 invalid_request', async () => {
    const token = ciToken()
    const answer = await refusedBeforeTheEngine(token, () =>
      postRaw(world.url, '/oauth2/token', 'application/json', JSON.stringify(validParams(token))),
    )
    assert.equal(answer.status, 415)
    assert.equal(answer.body.error, 'invalid_request')
    assert.equal(answer.body.code, 'invalid_request')
  })

  it('refuses a body that is not JSON at the identity endpoint, the join token unused', async () => {
    const token = ciToken()
    const joinToken = await joinTokenViaStore(world, 'spiffe://example.org/json')
    const answer = await refusedBeforeTheEngine(token, () =>
      postRaw(world.url, '/v1/identity/token', 'application/json', `{"joinToken":"${joinToken}",`),
    )
    assert.equal(answer.status, 400)
    assert.equal(answer.body.code, 'invalid_request')
    assert.equal(answer.body.error_description, 'body is not valid JSON')
    assert.equal((await postIdentity(world.url, { joinToken, audience: world.url })).status, 200)
  })
})

describe('a 1 MB subject token', () => {
  it('is refused by the token size cap (16 KiB) with too_large, not by the 2 MB body limit', async () => {
    const token = ciToken()
    const [header, , signature] = token.split('.')
    const huge = `${header}.${'A'.repeat(oneMegabyte - (header?.length ?? 0) - (signature?.length ?? 0) - 2)}.${signature}`
    assert.equal(huge.length, oneMegabyte)
    const answer = await refusedBeforeTheEngine(token, () => postForm(form(validParams(huge))))
    assert.equal(answer.status, 400)
    assert.deepEqual(answer.body, {
      error: 'invalid_request',
      error_description: `subject_token is ${oneMegabyte} bytes, more than the limit of 16384`,
      code: 'too_large',
      expected: '<= 16384 bytes',
      actual: `${oneMegabyte} bytes`,
      correlation_id: correlationOf(answer),
    })
  })

  it('is refused as an actor token too', async () => {
    const token = ciToken()
    const huge = `e30.${'A'.repeat(oneMegabyte)}.e30`
    const answer = await refusedBeforeTheEngine(token, () =>
      postForm(form({ ...validParams(token), actor_token: huge, actor_token_type: jwtTokenType })),
    )
    assert.equal(answer.body.code, 'too_large')
    assert.equal(answer.body.expected, '<= 16384 bytes')
  })
})

describe('unknown grant types', () => {
  for (const grantType of [
    'client_credentials',
    'authorization_code',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    'urn:ietf:params:oauth:grant-type:token-exchange ',
  ]) {
    it(`answers grant_type ${JSON.stringify(grantType)} with unsupported_grant_type`, async () => {
      const token = ciToken()
      const answer = await refusedBeforeTheEngine(token, () =>
        postForm(form({ ...validParams(token), grant_type: grantType })),
      )
      assert.equal(answer.status, 400)
      assert.deepEqual(answer.body, {
        error: 'unsupported_grant_type',
        error_description: `grant_type '${grantType}' is not supported: use '${tokenExchangeGrant}'`,
        code: 'unsupported_grant_type',
        expected: tokenExchangeGrant,
        actual: grantType,
        correlation_id: correlationOf(answer),
      })
    })
  }

  it('answers a request without grant_type with invalid_request', async () => {
    const token = ciToken()
    const { grant_type: _, ...rest } = validParams(token)
    const answer = await refusedBeforeTheEngine(token, () => postForm(form(rest)))
    assert.equal(answer.status, 400)
    assert.equal(answer.body.error, 'invalid_request')
    assert.equal(answer.body.code, 'invalid_request')
  })
})

describe('a subject token the engine refuses is audited, and changes nothing else', () => {
  it('audits a subject token that is not a JWS (malformed) without the token', async () => {
    const before = (await allAuditRecords(world.url)).length
    const answer = await postTokenExchange(world.url, validParams('not-a.jwt'))
    assert.equal(answer.status, 400)
    assert.equal(answer.body.error, 'invalid_grant')
    assert.equal(answer.body.code, 'malformed')
    assert.equal((await allAuditRecords(world.url)).length, before + 1)
    const correlationId = correlationOf(answer)
    const record = await auditRecordFor(world.url, correlationId)
    assert.equal(record.decision, 'deny')
    assert.equal(record.code, 'malformed')
    assertHoldsNoToken(record, 'not-a.jwt')
    // Audited, so logged at info only: the audit log has the explanation.
    const logged = world.logs.find(
      (l) => l.correlationId === correlationId && l.msg === 'request refused',
    )
    assert.deepEqual([logged?.level, logged?.code], [30, 'malformed'])
    await servesAValidExchange(ciToken())
  })

  it('audits a token with a bad signature, and the token with a good one is still accepted', async () => {
    const token = ciToken()
    const [header, payload] = token.split('.')
    const forged = `${header}.${payload}.${Buffer.alloc(64, 1).toString('base64url')}`
    const answer = await postTokenExchange(world.url, validParams(forged))
    assert.equal(answer.body.code, 'bad_signature')
    const record = await auditRecordFor(world.url, correlationOf(answer))
    assert.equal(record.code, 'bad_signature')
    assertHoldsNoToken(record, forged)
    // Same jti, but the forged token was never accepted, so the single-use jti is not spent.
    await servesAValidExchange(token)
  })
})

// ---------------------------------------------------------------------------------------------
// Configuration files with errors.

/** Starts Tessera on `yaml` and returns the `invalid_config` error it must refuse with. */
async function refusedConfig(
  yaml: string,
): Promise<{ error: TesseraError; dataDir: string; path: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-e2e-config-'))
  try {
    const path = join(dir, 'tessera.yaml')
    const dataDir = join(dir, 'data')
    writeFileSync(path, yaml.replaceAll('DATA_DIR', JSON.stringify(dataDir)))
    const { logger } = memoryLogger()
    const caught = await startTessera({ configPath: path, env: {}, logger }).then(
      async (running) => {
        await running.close()
        assert.fail('startTessera accepted a configuration with errors')
      },
      (error: unknown) => error,
    )
    assert.ok(isTesseraError(caught), String(caught))
    assert.equal(caught.code, 'invalid_config')
    // Nothing was created: no data directory, no database, no key-encryption key.
    assert.equal(existsSync(dataDir), false)
    return { error: caught, dataDir, path }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** True when nothing listens on the port (the refused start bound nothing). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)))
  })
}

describe('a configuration file with errors', () => {
  it('startTessera rejects with invalid_config listing every semantic problem, binding nothing', async () => {
    const port = await freePort()
    const { error, path } = await refusedConfig(`server:
  listen: 127.0.0.1:${port}
  publicUrl: http://127.0.0.1:${port}
trustDomain: Example.org
issuer:
  keyEncryptionKey: file:kek
  prePublishSeconds: 60
  jwksMaxAgeSeconds: 600
trustedIssuers:
  - issuer: ${ciIssuer}
    jwks: { keys: [] }
inventory:
  services:
    - name: payments-api
      audiences: [${payments}]
policies:
  - name: ci
    issuer: https://ci.*.com
    subject: "repo:acme/*"
    targets: [payments-apl]
  - name: unconstrained
    issuer: ${ciIssuer}
    targets: [payments-api]
  - name: cel
    issuer: ${ciIssuer}
    subject: x
    condition: { expression: "claims.a ==", message: m }
    output: { subject: "spiffe://{trustDomain}/{claims.repo}/{nope}" }
    targets: [payments-api]
store:
  kind: sqlite
  dataDir: DATA_DIR
`)
    assert.equal(error.message.split('\n')[0], `${path} is invalid (8 problems):`)
    assert.deepEqual(error.problems, [
      { path: '/trustedIssuers/0/jwks/keys', message: 'must not be an empty list' },
      { path: '/trustDomain', message: 'must be lower-case (SPIFFE ID §2.1): write "example.org"' },
      {
        path: '/issuer/prePublishSeconds',
        message:
          'must be at least jwksMaxAgeSeconds (600), got 60: a verifier that cached the key set just before a new key was published would not know that key when it starts signing',
      },
      {
        path: '/policies/0/issuer',
        message:
          'issuer "https://ci.*.com" contains "*": issuers are compared exactly, and a pattern could span "/" or "."',
      },
      {
        path: '/policies/0/targets/0',
        message: 'target "payments-apl" is neither a service name nor an audience in the inventory',
      },
      {
        path: '/policies/1',
        message: 'an allow policy must constrain the identity: set subject (not "**") or claims',
      },
      {
        path: '/policies/2/condition/expression',
        message: 'CEL expression does not parse: Unexpected token: EOF (at offset 11)',
      },
      {
        path: '/policies/2/output/subject',
        message:
          'unknown placeholder "{nope}", allowed: {trustDomain}, {sub}, {iss}, {claims.NAME}',
      },
    ])
    assert.equal(await portIsFree(port), true)
  })

  it('startTessera rejects with invalid_config listing every schema problem', async () => {
    const { error } = await refusedConfig(`server:
  listen: 127.0.0.1:0
  publicUrl: http://127.0.0.1:8080
  bodyLimitBytes: lots
trustDomain: example.org
issuer:
  algorithm: HS256
  keyEncryptionKey: file:kek
polices: []
store:
  kind: sqlite
  dataDir: DATA_DIR
`)
    assert.deepEqual(error.problems, [
      { path: '/polices', message: 'is not a known key; did you mean "policies"?' },
      { path: '/server/bodyLimitBytes', message: 'must be a whole number, got the string "lots"' },
      {
        path: '/issuer/algorithm',
        message:
          '"HS256" is never accepted: only asymmetric algorithms are (RFC 8725), one of "ES256", "EdDSA", "RS256"',
      },
    ])
  })

  it('startTessera rejects a file that is not YAML with invalid_config naming the line', async () => {
    const { error } = await refusedConfig('server:\n  listen: [\n')
    assert.deepEqual(error.problems, [
      {
        path: '',
        message:
          'yaml syntax error at line 3, column 1: flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ])
  })

  it('a running server refuses a broken file on reload, logs every problem and keeps its configuration', async (t) => {
    const good = readFileSync(world.configPath, 'utf8')
    t.after(async () => {
      writeFileSync(world.configPath, good)
      await world.running.reload()
    })
    const before = world.running.config()
    const broken = good
      .replace('targets: [payments-api]\n    scopes', 'targets: [payments-apl]\n    scopes')
      .replace('trustDomain: example.org', 'trustDomain: Example.org')
    assert.notEqual(broken, good)
    writeFileSync(world.configPath, broken)
    await world.running.reload()
    assert.equal(world.running.config(), before)
    const refused = world.logs.findLast(
      (l) => l.msg === 'configuration refused; the running configuration stays',
    )
    assert.equal(refused?.code, 'invalid_config')
    assert.deepEqual(
      ((refused?.problems ?? []) as { path: string }[]).map((p) => p.path),
      // The upper-case trust domain also makes the workloads subject pattern foreign to it.
      ['/trustDomain', '/policies/0/targets/0', '/policies/1/subject'],
    )
    await servesAValidExchange(ciToken())
  })
})
