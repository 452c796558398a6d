import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
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
    const logged = world.logs.find((l) => l.code === 'no_matching_policy')
    assert.equal(logged?.level, 40)
  })

  it('refuses a SAML request until SAML is configured', async () => {
    const response = await post({
      Action: 'AssumeRoleWithSAML',
      Version: '2011-06-15',
      RoleArn: roleArn,
      PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/idp`,
      SAMLAssertion: 'PHNhbWxwOlJlc3BvbnNlLz4=',
    })
    assert.equal(response.statusCode, 400)
    assert.equal(text(response.body, 'Code'), 'ValidationError')
    assert.match(text(response.body, 'Message') ?? '', /not available until SAML is configured/)
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
