import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { tokenSha256 } from '../../../sts/index.ts'
import {
  ciIssuer,
  createServerWorld,
  publicUrl,
  type ServerWorld,
} from '../testing/server-world.ts'

const accountId = '123456789012'
const roleArn = `arn:aws:iam::${accountId}:role/ci-deploy`
const sub = 'repo:acme/payments:main'

function text(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]
}

describe('POST / (AWS STS)', () => {
  let world: ServerWorld
  before(async () => {
    world = await createServerWorld({ clouds: `  aws:\n    accountId: "${accountId}"` })
  })
  after(() => world.close())

  const post = (params: Record<string, string>, headers: Record<string, string> = {}) =>
    world.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(params).toString(),
    })
  const assume = (extra: Record<string, string> = {}) =>
    post({
      Action: 'AssumeRoleWithWebIdentity',
      Version: '2011-06-15',
      RoleArn: roleArn,
      RoleSessionName: 'deploy',
      WebIdentityToken: world.ciToken({ sub }),
      ...extra,
    })

  it('answers AssumeRoleWithWebIdentity with credentials, audited under the request id', async () => {
    const response = await assume({ DurationSeconds: '900' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['content-type'], 'text/xml')
    const requestId = response.headers['x-amzn-requestid']
    assert.equal(typeof requestId, 'string')
    assert.equal(response.headers['x-correlation-id'], requestId)
    assert.equal(text(response.body, 'RequestId'), requestId)
    assert.equal(text(response.body, 'Provider'), ciIssuer)
    assert.equal(text(response.body, 'Audience'), publicUrl)
    assert.equal(text(response.body, 'SubjectFromWebIdentityToken'), sub)
    const page = await world.stores.audit.query({ correlationId: String(requestId) })
    assert.equal(page.records[0]?.dialect, 'aws-sts')
    assert.equal(page.records[0]?.decision, 'allow')
    assert.equal(page.records[0]?.policy, 'ci-deploy')
    // The secret key is never logged.
    const secret = text(response.body, 'SecretAccessKey') ?? ''
    assert.ok(secret.length === 40)
    assert.ok(!JSON.stringify(world.logs).includes(secret))
  })

  it('refuses a wrong audience as InvalidIdentityToken with Tessera headers', async () => {
    const response = await assume({
      WebIdentityToken: world.ciToken({ sub, aud: `${publicUrl}/` }),
    })
    assert.equal(response.statusCode, 400)
    assert.equal(text(response.body, 'Code'), 'InvalidIdentityToken')
    assert.equal(response.headers['tessera-error-code'], 'audience_mismatch')
    assert.equal(response.headers['tessera-error-hint'], 'trailing_slash')
    assert.match(
      text(response.body, 'Message') ?? '',
      /^Incorrect token audience\. Tessera audience_mismatch: /,
    )
  })

  it('refuses an unknown role as AccessDenied naming the closest policy', async () => {
    const response = await assume({ RoleArn: `arn:aws:iam::${accountId}:role/ci-deplyo` })
    assert.equal(response.statusCode, 403)
    assert.equal(text(response.body, 'Code'), 'AccessDenied')
    assert.equal(response.headers['tessera-error-code'], 'no_matching_policy')
    assert.match(text(response.body, 'Message') ?? '', /closest policy is &quot;ci-deploy&quot;/)
    // Refused before the engine, and audited all the same: logged quietly, like engine refusals.
    const logged = world.logs.find((l) => l.code === 'no_matching_policy')
    assert.equal(logged?.level, 30)
  })

  it('audits a refusal decided before the engine exactly once, under the request id', async () => {
    const token = world.ciToken({ sub })
    const response = await assume({
      RoleArn: `arn:aws:iam::${accountId}:role/CI-Deploy`,
      WebIdentityToken: token,
    })
    const requestId = String(response.headers['x-amzn-requestid'])
    assert.equal(text(response.body, 'RequestId'), requestId)
    const page = await world.stores.audit.query({ correlationId: requestId })
    assert.equal(page.records.length, 1)
    const { id: _, time: __, ...record } = page.records[0] ?? { id: '', time: 0 }
    assert.deepEqual(record, {
      correlationId: requestId,
      kind: 'exchange',
      dialect: 'aws-sts',
      presented: {
        iss: ciIssuer,
        sub,
        aud: [publicUrl],
        tokenSha256: tokenSha256(token),
      },
      decision: 'deny',
      code: 'no_matching_policy',
      check: 'role',
      expected: 'ci-deploy',
      actual: 'CI-Deploy',
      hint: 'case',
      message:
        'role "CI-Deploy" is not a Tessera trust policy: the closest policy is "ci-deploy" (arn:aws:iam::123456789012:role/ci-deploy): the values differ only by letter case',
    })
    assert.equal(JSON.stringify(page.records).includes(token), false)
  })

  it('audits an engine refusal exactly once', async () => {
    const response = await assume({
      WebIdentityToken: world.ciToken({ sub, aud: 'https://x.test' }),
    })
    assert.equal(text(response.body, 'Code'), 'InvalidIdentityToken')
    const requestId = String(response.headers['x-amzn-requestid'])
    const page = await world.stores.audit.query({ correlationId: requestId })
    assert.deepEqual(
      page.records.map((r) => [r.decision, r.code, r.check]),
      [['deny', 'audience_mismatch', 'audience']],
    )
  })

  it("refuses DurationSeconds above the role's maximum with STS's ValidationError", async () => {
    const response = await assume({ DurationSeconds: '901' })
    assert.equal(response.statusCode, 400)
    assert.equal(text(response.body, 'Code'), 'ValidationError')
    assert.equal(response.headers['tessera-error-code'], 'invalid_request')
    assert.equal(
      text(response.body, 'Message'),
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role. DurationSeconds 901 is above 900, the longest session role &quot;ci-deploy&quot; grants (its policy&apos;s maxTtlSeconds, at most the issuer&apos;s accessTokenTtlSeconds): ask for at most 900 seconds (Tessera invalid_request)',
    )
    const page = await world.stores.audit.query({
      correlationId: String(response.headers['x-amzn-requestid']),
    })
    assert.deepEqual(
      page.records.map((r) => [r.code, r.check, r.expected, r.actual]),
      [['invalid_request', 'duration', 'DurationSeconds <= 900', '901']],
    )
    // Without DurationSeconds, STS's default (3600) is shortened to the role's maximum.
    const defaulted = await assume()
    assert.equal(defaulted.statusCode, 200)
  })

  it('answers a body over the limit in XML with Tessera headers, audited', async () => {
    const response = await assume({ RoleSessionName: 'x'.repeat(70_000) })
    assert.equal(response.statusCode, 413)
    assert.equal(response.headers['content-type'], 'text/xml')
    assert.equal(text(response.body, 'Code'), 'ValidationError')
    assert.equal(response.headers['tessera-error-code'], 'too_large')
    const requestId = String(response.headers['x-amzn-requestid'])
    const page = await world.stores.audit.query({ correlationId: requestId })
    assert.deepEqual(
      page.records.map((r) => [r.dialect, r.code, r.check, r.presented]),
      [['aws-sts', 'too_large', 'request', undefined]],
    )
  })

  it('refuses a SAML request naming no configured SAML provider', async () => {
    const response = await post({
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: roleArn,
      PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/idp`,
      SAMLAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
    })
    assert.equal(response.statusCode, 400)
    assert.equal(text(response.body, 'Code'), 'InvalidIdentityToken')
    assert.match(text(response.body, 'Message') ?? '', /no samlIdps entry has a name/)
  })

  it('refuses an unknown action, a body that is not a form, and no body', async () => {
    const unknown = await post({ Action: 'GetCallerIdentity', Version: '2011-06-15' })
    assert.equal(text(unknown.body, 'Code'), 'InvalidAction')
    const json = await world.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    })
    assert.equal(json.statusCode, 415)
    assert.equal(text(json.body, 'Code'), 'ValidationError')
    assert.equal(json.headers['content-type'], 'text/xml')
    const empty = await world.app.inject({ method: 'POST', url: '/' })
    assert.equal(empty.statusCode, 400)
    assert.match(text(empty.body, 'Message') ?? '', /STS request has no body/)
  })

  it('answers a malformed form in XML', async () => {
    const response = await world.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'Action=%zz',
    })
    assert.equal(response.statusCode, 400)
    assert.equal(text(response.body, 'Code'), 'ValidationError')
    assert.match(text(response.body, 'Message') ?? '', /malformed percent-escape/)
  })
})

describe('POST / without clouds.aws', () => {
  it('explains that the AWS dialect is not configured', async () => {
    const world = await createServerWorld()
    try {
      const response = await world.app.inject({
        method: 'POST',
        url: '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15',
      })
      assert.equal(response.statusCode, 400)
      assert.equal(text(response.body, 'Code'), 'InvalidAction')
      assert.match(text(response.body, 'Message') ?? '', /add clouds.aws.accountId to tessera.yaml/)
    } finally {
      await world.close()
    }
  })
})
