// SAML Responses as subject tokens through the real server: RFC 8693 with saml2, and the AWS
// STS dialect's AssumeRoleWithSAML row by row (success fields, AWS's codes and messages).
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { createVerifier } from '@tessera/verify'
import { testIdp } from '../testing/saml-response.ts'
import {
  accountId,
  acsUrl,
  createSamlWorld,
  payments,
  principalArn,
  publicUrl,
  roleArn,
  roleAttribute,
  type SamlWorld,
  sessionNameAttribute,
} from '../testing/saml-world.ts'

const saml2 = 'urn:ietf:params:oauth:token-type:saml2'
const tokenExchange = 'urn:ietf:params:oauth:grant-type:token-exchange'

describe('SAML subject tokens at the token endpoint (RFC 8693)', () => {
  let world: SamlWorld
  before(async () => {
    world = await createSamlWorld()
  })
  after(() => world.close())

  const exchange = (subjectToken: string, extra: Record<string, string> = {}) =>
    world.app.inject({
      method: 'POST',
      url: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: tokenExchange,
        subject_token: subjectToken,
        subject_token_type: saml2,
        audience: payments,
        ...extra,
      }).toString(),
    })

  it('exchanges a base64url Response for a token whose sub is the NameID', async () => {
    const base64 = world.response({ attributes: { groups: ['admins'] } })
    const reply = await exchange(Buffer.from(base64, 'base64').toString('base64url'))
    assert.equal(reply.statusCode, 200, reply.body)
    const body = reply.json()
    const verifier = createVerifier({
      issuers: [{ issuer: publicUrl, keySource: world.keys.keySource() }],
      audience: [payments],
      clock: world.now,
    })
    const verified = await verifier.verify(body.access_token)
    assert.equal(verified.claims.sub, 'alice@example.com')
    assert.equal(verified.claims.client_id, 'saml-admins')
    const page = await world.stores.audit.query({ decision: 'allow' })
    assert.equal(page.records[0]?.presented?.iss, testIdp.entityId)
    assert.equal(page.records[0]?.presented?.sub, 'alice@example.com')
  })

  it('accepts the same Response only once (replay)', async () => {
    const token = world.response({ attributes: { groups: ['admins'] } })
    assert.equal((await exchange(token)).statusCode, 200)
    const again = await exchange(token)
    assert.equal(again.json().tessera_code ?? again.headers['tessera-error-code'], 'replay')
  })

  it('matches attributes like claims: another group is refused by the policy', async () => {
    const reply = await exchange(world.response({ attributes: { groups: ['staff'] } }))
    assert.equal(reply.statusCode >= 400, true)
    assert.equal(reply.headers['tessera-error-code'], 'claim_mismatch')
  })

  it('exchanges a Response with a __proto__ attribute: dropped, the policy still matches', async () => {
    // A computed key: an own property named __proto__, as the IdP can send one.
    const attributes = { groups: ['admins'], ['__proto__']: ['admins'], constructor: ['x'] }
    const reply = await exchange(world.response({ attributes }))
    assert.equal(reply.statusCode, 200, reply.body)
    const staff = { groups: ['staff'], ['__proto__']: ['admins'] }
    const refused = await exchange(world.response({ attributes: staff }))
    assert.equal(refused.headers['tessera-error-code'], 'claim_mismatch')
  })

  it('refuses a Response signed by a key the metadata does not hold', async () => {
    const reply = await exchange(
      world.response({ attributes: { groups: ['admins'] }, signingKey: testIdp.attackerKey }),
    )
    assert.equal(reply.headers['tessera-error-code'], 'bad_signature')
  })

  it('refuses saml2 as actor_token_type: actors are JWTs', async () => {
    const reply = await exchange(world.response(), {
      actor_token: 'a.b.c',
      actor_token_type: saml2,
    })
    assert.equal(reply.headers['tessera-error-code'], 'unsupported_token_type')
  })
})

describe('AssumeRoleWithSAML', () => {
  let world: SamlWorld
  before(async () => {
    world = await createSamlWorld()
  })
  after(() => world.close())

  const assume = (params: Record<string, string>) =>
    world.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        Action: 'AssumeRoleWithSAML',
        Version: '2011-06-15',
        RoleArn: roleArn,
        PrincipalArn: principalArn,
        ...params,
      }).toString(),
    })
  const element = (xml: string, name: string) =>
    new RegExp(`<${name}>([^<]*)</${name}>`)
      .exec(xml)?.[1]
      ?.replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&amp;/g, '&')

  it('answers AssumeRoleWithSAMLResult with the assertion fields', async () => {
    const reply = await assume({
      SAMLAssertion: world.response({ attributes: world.awsAttributes }),
      DurationSeconds: '900',
    })
    assert.equal(reply.statusCode, 200, reply.body)
    const xml = reply.body
    assert.match(
      xml,
      /^<AssumeRoleWithSAMLResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/"><AssumeRoleWithSAMLResult>/,
    )
    assert.match(element(xml, 'AccessKeyId') ?? '', /^ASIA/)
    assert.equal(element(xml, 'Arn'), `arn:aws:sts::${accountId}:assumed-role/saml-admins/alice`)
    assert.equal(element(xml, 'Issuer'), testIdp.entityId)
    assert.equal(element(xml, 'Subject'), 'alice@example.com')
    assert.equal(element(xml, 'SubjectType'), 'persistent')
    assert.equal(element(xml, 'Audience'), acsUrl)
    assert.equal(element(xml, 'NameQualifier')?.length, 28)
    assert.equal(new Date(element(xml, 'Expiration') ?? '').getTime() / 1000, world.now() + 900)
  })

  it("accepts a Response made for AWS's sign-in endpoint and audience", async () => {
    const reply = await assume({
      SAMLAssertion: world.response({
        attributes: world.awsAttributes,
        destination: 'https://signin.aws.amazon.com/saml',
        audience: 'urn:amazon:webservices',
      }),
    })
    assert.equal(reply.statusCode, 200, reply.body)
    assert.equal(element(reply.body, 'Audience'), 'https://signin.aws.amazon.com/saml')
  })

  it('shortens the session to the SessionDuration attribute', async () => {
    const reply = await assume({
      SAMLAssertion: world.response({
        attributes: {
          ...world.awsAttributes,
          'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['1000'],
        },
      }),
      DurationSeconds: '1500',
    })
    assert.equal(reply.statusCode, 200, reply.body)
    const expiration = new Date(element(reply.body, 'Expiration') ?? '').getTime() / 1000
    assert.equal(expiration, world.now() + 1000)
  })

  const refusals: [string, () => Record<string, string>, string, number, RegExp, string][] = [
    [
      'a signature by another key',
      () => ({
        SAMLAssertion: world.response({
          attributes: world.awsAttributes,
          signingKey: testIdp.attackerKey,
        }),
      }),
      'InvalidIdentityToken',
      400,
      /^Response signature invalid\. Tessera bad_signature: /,
      'bad_signature',
    ],
    [
      'an Issuer the provider does not hold',
      () => ({
        SAMLAssertion: world.response({
          attributes: world.awsAttributes,
          issuer: 'https://idp.example.com/saml/',
        }),
      }),
      'InvalidIdentityToken',
      400,
      /^Issuer not present in specified provider\. Tessera issuer_mismatch: /,
      'issuer_mismatch',
    ],
    [
      'an expired assertion',
      () => ({
        SAMLAssertion: world.response({ attributes: world.awsAttributes, lifetimeSeconds: -600 }),
      }),
      'ExpiredTokenException',
      400,
      /^Token expired\. Tessera expired: /,
      'expired',
    ],
    [
      'a failure Status from the IdP',
      () => ({
        SAMLAssertion: world.response({
          attributes: world.awsAttributes,
          statusCode: 'urn:oasis:names:tc:SAML:2.0:status:Requester',
        }),
      }),
      'IDPRejectedClaim',
      403,
      /^The identity provider \(IdP\) reported that authentication failed/,
      'status_not_success',
    ],
    [
      'a Role attribute without the requested pair',
      () => ({
        SAMLAssertion: world.response({
          attributes: {
            ...world.awsAttributes,
            [roleAttribute]: [`arn:aws:iam::${accountId}:role/other,${principalArn}`],
          },
        }),
      }),
      'AccessDenied',
      403,
      /^Not authorized to perform sts:AssumeRoleWithSAML\. Tessera claim_mismatch: no value of the assertion's Role attribute/,
      'claim_mismatch',
    ],
    [
      'no RoleSessionName attribute',
      () => ({
        SAMLAssertion: world.response({
          attributes: { groups: ['admins'], [roleAttribute]: [`${principalArn},${roleArn}`] },
        }),
      }),
      'InvalidIdentityToken',
      400,
      /RoleSessionName attribute/,
      'missing_claim',
    ],
    [
      'a trust policy that refuses the NameID',
      () => ({
        SAMLAssertion: world.response({
          attributes: world.awsAttributes,
          nameId: 'mallory@evil.example',
        }),
      }),
      'AccessDenied',
      403,
      /^Not authorized to perform sts:AssumeRoleWithSAML\. Tessera subject_mismatch/,
      'subject_mismatch',
    ],
    [
      'a PrincipalArn naming no configured provider',
      () => ({
        PrincipalArn: `arn:aws:iam::${accountId}:saml-provider/test-ipd`,
        SAMLAssertion: world.response({ attributes: world.awsAttributes }),
      }),
      'InvalidIdentityToken',
      400,
      /Specified provider does not exist\. Tessera issuer_unknown: .*closest is "test-idp"/,
      'issuer_unknown',
    ],
    [
      'a malformed PrincipalArn',
      () => ({ PrincipalArn: 'arn:aws:iam::123456789012:role/x', SAMLAssertion: world.response() }),
      'ValidationError',
      400,
      /Request ARN is invalid/,
      'invalid_request',
    ],
  ]
  for (const [name, params, code, status, message, tesseraCode] of refusals) {
    it(`answers ${name} with ${code}`, async () => {
      const reply = await assume(params())
      assert.equal(reply.statusCode, status, reply.body)
      assert.equal(element(reply.body, 'Code'), code)
      assert.match(element(reply.body, 'Message') ?? '', message)
      assert.equal(reply.headers['tessera-error-code'], tesseraCode)
    })
  }

  it('accepts the pair in either order and refuses the same assertion twice', async () => {
    const token = world.response({
      attributes: { ...world.awsAttributes, [roleAttribute]: [` ${principalArn} , ${roleArn} `] },
    })
    assert.equal((await assume({ SAMLAssertion: token })).statusCode, 200)
    const again = await assume({ SAMLAssertion: token })
    assert.equal(element(again.body, 'Code'), 'IDPRejectedClaim')
    assert.equal(again.headers['tessera-error-code'], 'replay')
  })

  it('refuses a Response whose RoleSessionName attribute is not a session name', async () => {
    const reply = await assume({
      SAMLAssertion: world.response({
        attributes: { ...world.awsAttributes, [sessionNameAttribute]: ['bad name'] },
      }),
    })
    assert.equal(reply.headers['tessera-error-code'], 'missing_claim')
    assert.match(element(reply.body, 'Message') ?? '', /is not one value of 2–64 characters/)
  })
})
