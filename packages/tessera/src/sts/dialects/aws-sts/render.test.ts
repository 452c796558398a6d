import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { createWorld, idpUrl, issuerUrl, type World } from '../../testing/world.ts'
import { parseAwsStsRequest } from './parse.ts'
import { renderAssumeRoleWithWebIdentity, renderAwsStsError, stsNamespace } from './render.ts'
import { escapeXml } from './xml.ts'

const accountId = '123456789012'
const ciClaims = {
  sub: 'repo:acme/payments:ref:refs/heads/main',
  repository_owner: 'acme',
  repository: 'acme/payments',
}

function text(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]
}

async function refusal(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return error
  }
  throw new Error('expected a refusal')
}

describe('renderAssumeRoleWithWebIdentity', () => {
  let world: World
  before(async () => {
    world = await createWorld()
  })

  it("renders STS's result with credentials, subject, role user, provider and audience", async () => {
    const presented = world.idpToken(ciClaims)
    const parsed = parseAwsStsRequest(
      new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${accountId}:role/ci-deploy`,
        RoleSessionName: 'deploy-1',
        WebIdentityToken: presented,
      }),
      { correlationId: 'corr-7', accountId, policyNames: world.policies.policyNames },
    )
    assert.ok(parsed.action === 'AssumeRoleWithWebIdentity')
    const result = await world.engine.exchange(parsed.exchange)
    const { status, body, headers } = renderAssumeRoleWithWebIdentity(result, parsed)
    assert.equal(status, 200)
    assert.deepEqual(headers, {
      'content-type': 'text/xml',
      'cache-control': 'no-store',
      'x-amzn-RequestId': 'corr-7',
    })
    assert.ok(
      body.startsWith(
        `<AssumeRoleWithWebIdentityResponse xmlns="${stsNamespace}"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA`,
      ),
    )
    assert.match(text(body, 'AccessKeyId') ?? '', /^ASIA[0-9A-F]{16}$/)
    assert.match(text(body, 'SecretAccessKey') ?? '', /^[A-Za-z0-9+/]{40}$/)
    assert.equal(text(body, 'SessionToken'), result.accessToken)
    assert.equal(
      text(body, 'Expiration'),
      new Date((world.now + result.expiresIn) * 1000).toISOString().replace('.000Z', 'Z'),
    )
    assert.equal(text(body, 'SubjectFromWebIdentityToken'), ciClaims.sub)
    assert.match(text(body, 'AssumedRoleId') ?? '', /^AROA[0-9A-F]{17}:deploy-1$/)
    assert.equal(text(body, 'Arn'), `arn:aws:sts::${accountId}:assumed-role/ci-deploy/deploy-1`)
    assert.equal(text(body, 'Provider'), idpUrl)
    assert.equal(text(body, 'Audience'), issuerUrl)
    assert.equal(text(body, 'RequestId'), 'corr-7')
    // A second rendering draws a new secret but keeps the key id of the same token.
    const again = renderAssumeRoleWithWebIdentity(result, parsed).body
    assert.equal(text(again, 'AccessKeyId'), text(body, 'AccessKeyId'))
    assert.notEqual(text(again, 'SecretAccessKey'), text(body, 'SecretAccessKey'))
  })

  it('takes the first audience of a token with several', async () => {
    const presented = world.idpToken({ ...ciClaims, aud: [issuerUrl, 'https://other.example'] })
    const parsed = parseAwsStsRequest(
      new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: `arn:aws:iam::${accountId}:role/ci-deploy`,
        RoleSessionName: 's2',
        WebIdentityToken: presented,
      }),
      { correlationId: 'c', accountId, policyNames: world.policies.policyNames },
    )
    assert.ok(parsed.action === 'AssumeRoleWithWebIdentity')
    const { body } = renderAssumeRoleWithWebIdentity(
      await world.engine.exchange(parsed.exchange),
      parsed,
    )
    assert.equal(text(body, 'Audience'), issuerUrl)
    assert.equal(text(body, 'Arn'), `arn:aws:sts::${accountId}:assumed-role/ci-deploy/s2`)
  })
})

describe('renderAwsStsError', () => {
  it("renders STS's error document with Tessera's explanation and headers", () => {
    const error = new TesseraError({
      code: 'audience_mismatch',
      message:
        'aud "https://tessera.example/" is not one of ["https://tessera.example"]: the values differ only by a trailing slash',
      expected: ['https://tessera.example'],
      actual: ['https://tessera.example/'],
      hint: 'trailing_slash',
    })
    const { status, body, headers } = renderAwsStsError(error, 'corr-2')
    assert.equal(status, 400)
    assert.equal(
      body,
      `<ErrorResponse xmlns="${stsNamespace}"><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience. Tessera audience_mismatch: aud &quot;https://tessera.example/&quot; is not one of [&quot;https://tessera.example&quot;]: the values differ only by a trailing slash</Message></Error><RequestId>corr-2</RequestId></ErrorResponse>`,
    )
    assert.deepEqual(headers, {
      'content-type': 'text/xml',
      'cache-control': 'no-store',
      'x-amzn-RequestId': 'corr-2',
      'tessera-error-code': 'audience_mismatch',
      'tessera-error-hint': 'trailing_slash',
    })
  })

  it("keeps STS's ValidationError sentence first", () => {
    const error = new TesseraError({
      code: 'invalid_request',
      message: "1 validation error detected: Value 'a:b' at 'roleSessionName' failed",
    })
    const { body } = renderAwsStsError(error, 'c')
    assert.equal(
      text(body, 'Message'),
      '1 validation error detected: Value &apos;a:b&apos; at &apos;roleSessionName&apos; failed (Tessera invalid_request)',
    )
    assert.equal(text(body, 'Code'), 'ValidationError')
  })

  it('answers an unknown action as InvalidAction', () => {
    const error = new TesseraError({
      code: 'invalid_request',
      check: 'action',
      message: 'no such op',
    })
    const { status, body } = renderAwsStsError(error, 'c')
    assert.equal(status, 400)
    assert.equal(text(body, 'Code'), 'InvalidAction')
    assert.equal(
      text(body, 'Message'),
      'The action or operation requested is invalid. Tessera invalid_request: no such op',
    )
  })

  it('shows an unknown role in full and a policy denial as a summary', async () => {
    const role = new TesseraError({
      code: 'no_matching_policy',
      check: 'role',
      message: 'role "x" is not a Tessera trust policy: the closest policy is "y"',
    })
    const shown = renderAwsStsError(role, 'c')
    assert.equal(shown.status, 403)
    assert.equal(text(shown.body, 'Code'), 'AccessDenied')
    assert.match(
      text(shown.body, 'Message') ?? '',
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity\. Tessera no_matching_policy: role &quot;x&quot; is not a Tessera trust policy: the closest policy is &quot;y&quot;$/,
    )
    // A clause failure of a policy reveals the policy's patterns: only the summary goes out.
    const world = await createWorld()
    const denied = await refusal(() =>
      world.engine.exchange({
        dialect: 'aws-sts',
        correlationId: 'c',
        subjectToken: world.idpToken({ ...ciClaims, sub: 'repo:acme/other:ref:refs/heads/main' }),
        subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token',
        scopes: [],
        policy: 'ci-deploy',
      }),
    )
    const summary = renderAwsStsError(denied, 'c')
    assert.equal(summary.headers['tessera-error-code'], 'subject_mismatch')
    assert.equal(text(summary.body, 'Code'), 'AccessDenied')
    assert.match(
      text(summary.body, 'Message') ?? '',
      /Tessera subject_mismatch: .* \(policy &quot;ci-deploy&quot;\)$/,
    )
    assert.doesNotMatch(summary.body, /acme\/payments/)
  })

  it('appends the author message of a failed condition', async () => {
    const world = await createWorld()
    const error = await refusal(() =>
      world.engine.exchange({
        dialect: 'aws-sts',
        correlationId: 'c',
        subjectToken: world.idpToken({ sub: 'cond:x', run_attempt: '2' }),
        subjectTokenType: 'urn:ietf:params:oauth:token-type:id_token',
        scopes: [],
        policy: 'first-attempts',
      }),
    )
    const { body, headers } = renderAwsStsError(error, 'c')
    assert.equal(headers['tessera-error-code'], 'condition_failed')
    assert.match(text(body, 'Message') ?? '', /: first attempts only$/)
  })

  it('answers anything else as an opaque InternalFailure without a hint', () => {
    const { status, body, headers } = renderAwsStsError(new Error('db down: secret'), 'c')
    assert.equal(status, 500)
    assert.equal(text(body, 'Type'), 'Receiver')
    assert.equal(text(body, 'Code'), 'InternalFailure')
    assert.doesNotMatch(body, /secret/)
    assert.equal(headers['tessera-error-code'], 'internal_error')
    assert.equal('tessera-error-hint' in headers, false)
  })
})

describe('escapeXml', () => {
  it('escapes the five entities and replaces characters XML cannot carry', () => {
    assert.equal(
      escapeXml(`a&b<c>"d'\u0000\ud800e\t`),
      'a&amp;b&lt;c&gt;&quot;d&apos;\ufffd\ufffde\t',
    )
  })
})
