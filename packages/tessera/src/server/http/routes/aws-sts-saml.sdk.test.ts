// The real AWS SDK against Tessera on loopback: @aws-sdk/client-sts AssumeRoleWithSAMLCommand
// with an endpoint override and explicit dummy credentials (sdk-wire-facts.md's loopback
// rules: the call is unsigned, and no default chain may reach the metadata service).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { AssumeRoleWithSAMLCommand, STSClient } from '@aws-sdk/client-sts'
import { createVerifier } from '@tessera/verify'
import { testIdp } from '../testing/saml-response.ts'
import {
  accountId,
  createSamlWorld,
  payments,
  principalArn,
  publicUrl,
  roleArn,
  type SamlWorld,
} from '../testing/saml-world.ts'

interface SdkError extends Error {
  readonly Code?: string
  readonly $metadata: { readonly httpStatusCode?: number; readonly requestId?: string }
}

describe('AWS SDK AssumeRoleWithSAMLCommand against Tessera', () => {
  let world: SamlWorld
  let client: STSClient
  const savedEnv = { ...process.env }
  before(async () => {
    process.env.AWS_EC2_METADATA_DISABLED = 'true'
    // The SDK judges the credentials' Expiration on the real clock: start the world there.
    world = await createSamlWorld({ startAt: Math.floor(Date.now() / 1000) })
    await world.app.listen({ host: '127.0.0.1', port: 0 })
    const address = world.app.server.address()
    assert.ok(typeof address === 'object' && address !== null)
    client = new STSClient({
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDUMMY', secretAccessKey: 'dummy' },
    })
  })
  after(async () => {
    client.destroy()
    process.env = savedEnv
    await world.close()
  })

  it('returns credentials and the assertion fields', async () => {
    const output = await client.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: roleArn,
        PrincipalArn: principalArn,
        SAMLAssertion: world.response({ attributes: world.awsAttributes }),
        DurationSeconds: 900,
      }),
    )
    assert.match(output.Credentials?.AccessKeyId ?? '', /^ASIA/)
    assert.equal(output.Credentials?.Expiration?.getTime(), (world.now() + 900) * 1000)
    assert.equal(output.Subject, 'alice@example.com')
    assert.equal(output.SubjectType, 'persistent')
    assert.equal(output.Issuer, testIdp.entityId)
    assert.equal(
      output.AssumedRoleUser?.Arn,
      `arn:aws:sts::${accountId}:assumed-role/saml-admins/alice`,
    )
    const verifier = createVerifier({
      issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
      audience: [payments],
      clock: world.now,
    })
    const verified = await verifier.verify(output.Credentials?.SessionToken ?? '')
    assert.equal(verified.claims.sub, 'alice@example.com')
  })

  it("surfaces a signature by another key as InvalidIdentityToken in AWS's words", async () => {
    let caught: SdkError | undefined
    try {
      await client.send(
        new AssumeRoleWithSAMLCommand({
          RoleArn: roleArn,
          PrincipalArn: principalArn,
          SAMLAssertion: world.response({
            attributes: world.awsAttributes,
            signingKey: testIdp.attackerKey,
          }),
        }),
      )
    } catch (error) {
      caught = error as SdkError
    }
    assert.ok(caught !== undefined, 'the SDK must throw')
    assert.equal(caught.Code, 'InvalidIdentityToken')
    assert.equal(caught.name, 'InvalidIdentityTokenException')
    assert.equal(caught.$metadata.httpStatusCode, 400)
    assert.match(caught.message, /^Response signature invalid\. Tessera bad_signature: /)
    const page = await world.stores.audit.query({
      correlationId: String(caught.$metadata.requestId),
    })
    assert.equal(page.records[0]?.code, 'bad_signature')
  })
})
