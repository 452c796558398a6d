// The real AWS SDK against Tessera on loopback: @aws-sdk/client-sts with an endpoint override,
// and @aws-sdk/credential-providers' fromTokenFile driven by the environment, unpatched.
// sdk-wire-facts.md's loopback rules: explicit credentials or provider, no metadata service.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts'
import { fromTokenFile } from '@aws-sdk/credential-providers'
import { createVerifier } from '@tessera/verify'
import { createServerWorld, publicUrl, type ServerWorld } from '../testing/server-world.ts'

const accountId = '123456789012'
const roleArn = `arn:aws:iam::${accountId}:role/ci-deploy`
const sub = 'repo:acme/payments:main'

interface SdkError extends Error {
  readonly Code?: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
  readonly $response?: { readonly headers: Record<string, string> }
}

async function sdkRefusal(run: () => Promise<unknown>): Promise<SdkError> {
  try {
    await run()
  } catch (error) {
    return error as SdkError
  }
  throw new Error('expected the SDK to throw')
}

describe('AWS SDK against the AWS STS dialect', () => {
  let world: ServerWorld
  let endpoint: string
  let client: STSClient
  const savedEnv = { ...process.env }
  before(async () => {
    // No default chain may fall through to the instance metadata address.
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    // The world's clock starts at the wall clock, not a fixed date: the SDK and its credential
    // providers judge the Expiration Tessera returns on the real clock.
    world = await createServerWorld({
      clouds: `  aws:\n    accountId: "${accountId}"`,
      startAt: Math.floor(Date.now() / 1000),
    })
    await world.app.listen({ host: '127.0.0.1', port: 0 })
    const address = world.app.server.address()
    assert.ok(typeof address === 'object' && address !== null)
    endpoint = `http://127.0.0.1:${address.port}`
    client = new STSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDUMMY', secretAccessKey: 'dummy' },
    })
  })
  after(async () => {
    client.destroy()
    process.env = savedEnv
    await world.close()
  })

  const assume = (
    input: Partial<ConstructorParameters<typeof AssumeRoleWithWebIdentityCommand>[0]>,
  ) =>
    client.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'deploy',
        WebIdentityToken: world.ciToken({ sub }),
        ...input,
      }),
    )

  it('returns credentials whose SessionToken verifies as a Tessera access token', async () => {
    const output = await assume({ DurationSeconds: 900 })
    const credentials = output.Credentials
    assert.ok(credentials !== undefined)
    assert.match(credentials.AccessKeyId ?? '', /^ASIA[0-9A-F]{16}$/)
    assert.equal(credentials.SecretAccessKey?.length, 40)
    assert.ok(credentials.Expiration instanceof Date)
    assert.equal(credentials.Expiration.getTime() / 1000, world.now() + 900)
    assert.equal(output.SubjectFromWebIdentityToken, sub)
    assert.equal(
      output.AssumedRoleUser?.Arn,
      `arn:aws:sts::${accountId}:assumed-role/ci-deploy/deploy`,
    )
    assert.equal(typeof output.$metadata.requestId, 'string')
    const verifier = createVerifier({
      issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
      audience: ['https://payments.example.org'],
      clock: world.now,
    })
    const verified = await verifier.verify(credentials.SessionToken ?? '')
    assert.equal(verified.claims.sub, sub)
    assert.equal(verified.claims.client_id, 'ci-deploy')
  })

  it('surfaces a wrong audience as InvalidIdentityToken with the request id', async () => {
    const error = await sdkRefusal(() =>
      assume({ WebIdentityToken: world.ciToken({ sub, aud: 'https://tessera.test.example' }) }),
    )
    assert.equal(error.Code, 'InvalidIdentityToken')
    assert.equal(error.name, 'InvalidIdentityTokenException')
    assert.equal(error.$metadata.httpStatusCode, 400)
    assert.match(error.message, /^Incorrect token audience\. Tessera audience_mismatch: /)
    const requestId = error.$metadata.requestId
    assert.equal(typeof requestId, 'string')
    const page = await world.stores.audit.query({ correlationId: String(requestId) })
    assert.equal(page.records[0]?.code, 'audience_mismatch')
  })

  it('surfaces an expired token as ExpiredTokenException', async () => {
    const token = world.ciToken({ sub, iat: world.now() - 4000, exp: world.now() - 3600 })
    const error = await sdkRefusal(() => assume({ WebIdentityToken: token }))
    assert.equal(error.Code, 'ExpiredTokenException')
    assert.equal(error.name, 'ExpiredTokenException')
    assert.match(error.message, /^Token expired\. Tessera expired: /)
  })

  it('surfaces a trust-policy refusal and an unknown role as AccessDenied', async () => {
    const denied = await sdkRefusal(() =>
      assume({ WebIdentityToken: world.ciToken({ sub: 'repo:acme/other:ref:refs/heads/main' }) }),
    )
    assert.equal(denied.Code, 'AccessDenied')
    assert.equal(denied.$metadata.httpStatusCode, 403)
    assert.match(
      denied.message,
      /^Not authorized to perform sts:AssumeRoleWithWebIdentity\. Tessera subject_mismatch/,
    )
    const unknown = await sdkRefusal(() =>
      assume({ RoleArn: `arn:aws:iam::${accountId}:role/ci-deplyo` }),
    )
    assert.equal(unknown.Code, 'AccessDenied')
    assert.match(unknown.message, /closest policy is "ci-deploy"/)
  })

  it('surfaces a bad RoleSessionName as ValidationError in STS words', async () => {
    const error = await sdkRefusal(() => assume({ RoleSessionName: 'bad name:x' }))
    assert.equal(error.Code, 'ValidationError')
    assert.match(
      error.message,
      /^1 validation error detected: Value 'bad name:x' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    )
    assert.equal(error.$response?.headers['tessera-error-code'], 'invalid_request')
  })

  it("surfaces DurationSeconds above the role's maximum as ValidationError, audited once", async () => {
    // The role's maximum is the issuer's accessTokenTtlSeconds (900): ci-deploy sets no cap.
    const error = await sdkRefusal(() => assume({ DurationSeconds: 3600 }))
    assert.equal(error.Code, 'ValidationError')
    assert.equal(error.$metadata.httpStatusCode, 400)
    assert.match(
      error.message,
      /^The requested DurationSeconds exceeds the MaxSessionDuration set for this role\. DurationSeconds 3600 is above 900/,
    )
    const requestId = String(error.$metadata.requestId)
    const page = await world.stores.audit.query({ correlationId: requestId })
    assert.deepEqual(
      page.records.map((r) => [r.decision, r.code, r.check, r.expected, r.actual]),
      [['deny', 'invalid_request', 'duration', 'DurationSeconds <= 900', '3600']],
    )
  })

  describe('fromTokenFile driven by the environment', () => {
    let dir: string
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'tessera-aws-'))
    })
    after(() => rmSync(dir, { recursive: true, force: true }))

    function withEnv(tokenFileContents: string) {
      const file = join(dir, `token-${Math.random().toString(36).slice(2)}`)
      // The provider reads the file untrimmed: written exactly as given.
      writeFileSync(file, tokenFileContents)
      process.env.AWS_WEB_IDENTITY_TOKEN_FILE = file
      process.env.AWS_ROLE_ARN = roleArn
      process.env.AWS_ROLE_SESSION_NAME = 'file-session'
      process.env.AWS_ENDPOINT_URL_STS = endpoint
      process.env.AWS_REGION = 'us-east-1'
    }
    after(() => {
      for (const name of [
        'AWS_WEB_IDENTITY_TOKEN_FILE',
        'AWS_ROLE_ARN',
        'AWS_ROLE_SESSION_NAME',
        'AWS_ENDPOINT_URL_STS',
        'AWS_REGION',
      ]) {
        if (savedEnv[name] === undefined) delete process.env[name]
        else process.env[name] = savedEnv[name]
      }
    })

    it('exchanges the token file for credentials', async () => {
      withEnv(world.ciToken({ sub }))
      const credentials = await fromTokenFile()()
      assert.match(credentials.accessKeyId, /^ASIA/)
      assert.equal(credentials.accountId, accountId)
      const page = await world.stores.audit.query({ decision: 'allow', limit: 1 })
      assert.equal(page.records[0]?.dialect, 'aws-sts')
    })

    it('explains a trailing newline in the token file (sent as is, as STS receives it)', async () => {
      withEnv(`${world.ciToken({ sub })}\n`)
      const error = await sdkRefusal(() => fromTokenFile()())
      assert.equal(error.Code, 'InvalidIdentityToken')
      assert.match(error.message, /Tessera malformed: .*whitespace/)
      assert.equal(error.$response?.headers['tessera-error-hint'], 'whitespace')
    })
  })
})
