import assert from 'node:assert/strict'
import { X509Certificate } from 'node:crypto'
import { describe, it } from 'node:test'
import { MemoryReplayStore, type TesseraError } from '@tessera/verify'
import { samlResponse, testIdp } from '../server/http/testing/saml-response.ts'
import { parseGoogleSts } from './dialects/google-sts/parse.ts'
import { parseTokenExchange } from './dialects/token-exchange/parse.ts'
import { maxSamlTokenBytes, verifySamlSubject } from './saml-subject.ts'

const now = 1_800_000_000
const clock = () => now
const trust = {
  idps: [{ entityId: testIdp.entityId, signingCertificates: [new X509Certificate(testIdp.cert)] }],
  spEntityId: 'https://tessera.test',
  acsUrl: 'https://tessera.test/saml/acs',
}
const saml2 = 'urn:ietf:params:oauth:token-type:saml2'

describe('verifySamlSubject', () => {
  it('refuses a SAML token when no IdP is configured', async () => {
    await assert.rejects(
      verifySamlSubject(undefined, 'PHg+', undefined, new MemoryReplayStore({ clock }), clock),
      (e: TesseraError) =>
        e.code === 'unsupported_token_type' && /no SAML IdP is configured/.test(e.message),
    )
  })

  it('takes base64url and base64, and gives claims policies read', async () => {
    const replay = new MemoryReplayStore({ clock })
    const base64 = samlResponse({ now, attributes: { groups: ['a'] } })
    const url = Buffer.from(base64, 'base64').toString('base64url')
    const subject = await verifySamlSubject(trust, url, undefined, replay, clock)
    assert.equal(subject.presented.issuer, testIdp.entityId)
    assert.equal(subject.claims.sub, 'alice@example.com')
    assert.deepEqual(subject.claims.groups, ['a'])
    assert.equal(subject.acsUrl, trust.acsUrl)
    const plain = await verifySamlSubject(trust, samlResponse({ now }), undefined, replay, clock)
    assert.equal(plain.assertion.issuer, testIdp.entityId)
  })

  it("tries the dialect's alternatives only for an Audience or Recipient mismatch", async () => {
    const replay = new MemoryReplayStore({ clock })
    const alternatives = [
      { spEntityId: 'urn:amazon:webservices', acsUrl: 'https://signin.aws.amazon.com/saml' },
    ]
    const aws = samlResponse({
      now,
      destination: 'https://signin.aws.amazon.com/saml',
      audience: 'urn:amazon:webservices',
    })
    const subject = await verifySamlSubject(trust, aws, { alternatives }, replay, clock)
    assert.equal(subject.acsUrl, 'https://signin.aws.amazon.com/saml')
    // Neither fits: the configured service provider's refusal is the one explained.
    const elsewhere = samlResponse({ now, destination: 'https://elsewhere.example/acs' })
    await assert.rejects(
      verifySamlSubject(trust, elsewhere, { alternatives }, replay, clock),
      (e: TesseraError) =>
        e.code === 'destination_mismatch' && e.message.includes('https://tessera.test/saml/acs'),
    )
    // Another IdP than the one the dialect names.
    await assert.rejects(
      verifySamlSubject(
        trust,
        samlResponse({ now }),
        { idpEntityId: 'https://other.example' },
        replay,
        clock,
      ),
      (e: TesseraError) => e.code === 'issuer_unknown' && e.check === 'saml',
    )
    const two = {
      ...trust,
      idps: [
        ...trust.idps,
        {
          entityId: 'https://other.example',
          signingCertificates: trust.idps[0]?.signingCertificates ?? [],
        },
      ],
    }
    await assert.rejects(
      verifySamlSubject(
        two,
        samlResponse({ now }),
        { idpEntityId: 'https://other.example' },
        replay,
        clock,
      ),
      (e: TesseraError) => e.code === 'issuer_mismatch',
    )
  })
})

describe('saml2 in the token-exchange and Google STS parsers', () => {
  it('gives SAML its own size limit', () => {
    const form = (token: string) =>
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: token,
        subject_token_type: saml2,
        audience: 'https://api.example.org',
      })
    assert.equal(parseTokenExchange(form('A'.repeat(50_000)), {}).subjectTokenType, saml2)
    assert.throws(
      () => parseTokenExchange(form('A'.repeat(maxSamlTokenBytes + 1)), {}),
      (e: TesseraError) => e.code === 'too_large' && e.message.includes(String(maxSamlTokenBytes)),
    )
  })

  it('accepts saml2 as the Google subject token type', () => {
    const body = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token_type: saml2,
      subject_token: 'A'.repeat(maxSamlTokenBytes + 1),
      audience:
        '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/x',
    }
    assert.throws(
      () => parseGoogleSts(body, undefined),
      (e: TesseraError) => e.code === 'too_large' && e.message.includes(String(maxSamlTokenBytes)),
    )
    assert.throws(
      () => parseGoogleSts({ ...body, subject_token: 'PHg+' }, undefined),
      (e: TesseraError) => e.code === 'target_not_allowed',
    )
  })
})
