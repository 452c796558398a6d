import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { describe, test } from 'node:test'
import { MemoryReplayStore } from '@tessera/verify'
import { alg, encryptXml, spKey } from './decrypt/testing/encrypt.ts'
import {
  evaluateSamlResponse,
  type SamlIdp,
  type SamlValidationOptions,
  samlClaims,
  validateSamlResponse,
} from './index.ts'
import {
  acsUrl,
  assertionXml,
  idpEntityId,
  keys,
  now,
  type ResponseFields,
  requestId,
  responseXml,
  type SignOptions,
  sign,
  signedResponse,
  spEntityId,
} from './testing/test-idp.ts'

const b64 = (xml: string) => Buffer.from(xml).toString('base64')
const otherIdp = 'https://other-idp.example.org/metadata'
const idp: SamlIdp = { entityId: idpEntityId, signingCertificates: [keys.current.cert] }

function options(extra: Partial<SamlValidationOptions> = {}): SamlValidationOptions {
  return {
    idps: [idp],
    spEntityId,
    acsUrl,
    requestId,
    clock: () => now,
    decryptionKey: spKey,
    ...extra,
  }
}

/** How the test IdP builds an encrypted Response. */
interface Build {
  fields?: ResponseFields
  /** How the Assertion is signed before encryption; false: not signed. */
  signAssertion?: SignOptions | false
  /** Changes the signed Assertion XML before it is encrypted. */
  alterPlaintext?: (xml: string) => string
  /** Changes the EncryptedData XML before it goes into the Response. */
  alterCiphertext?: (xml: string) => string
  signResponse?: boolean
  content?: string
  key?: string
  digest?: 'sha1' | 'sha256'
  /** Removes the Response's Issuer (the Assertion's is inside the ciphertext). */
  noResponseIssuer?: boolean
}

async function encryptedResponse(b: Build = {}): Promise<string> {
  const f = b.fields ?? {}
  const signed =
    b.signAssertion === false
      ? assertionXml(f)
      : sign(assertionXml(f), f.assertionId ?? '_a-1', b.signAssertion ?? {})
  const data = await encryptXml((b.alterPlaintext ?? ((x) => x))(signed), {
    content: b.content ?? alg.aes256Gcm,
    key: b.key ?? alg.rsaOaepMgf1p,
    ...(b.digest === undefined ? {} : { digest: b.digest }),
  })
  const encrypted = `<saml:EncryptedAssertion>${(b.alterCiphertext ?? ((x) => x))(data)}</saml:EncryptedAssertion>`
  let xml = responseXml(f, encrypted)
  if (b.noResponseIssuer) {
    xml = xml.replace(`<saml:Issuer>${f.issuer ?? idpEntityId}</saml:Issuer>`, '')
  }
  if (!b.signResponse) return xml
  return sign(xml, f.responseId ?? '_r-1', b.noResponseIssuer ? { at: 'first' } : {})
}

// Flips one bit of the content ciphertext (the last CipherValue: the EncryptedKey's comes first).
function flipContentBit(encryptedData: string): string {
  const values = [...encryptedData.matchAll(/<((?:\w+:)?CipherValue)>([^<]+)<\//g)]
  const last = values.at(-1) as RegExpMatchArray
  const bytes = Buffer.from((last[2] as string).replace(/\s+/g, ''), 'base64')
  bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 1
  const at = last.index as number
  return (
    encryptedData.slice(0, at) +
    `<${last[1]}>${bytes.toString('base64')}</` +
    encryptedData.slice(at + last[0].length)
  )
}

async function rejects(
  xml: string,
  code: string,
  extra: Partial<SamlValidationOptions> = {},
  message?: RegExp,
) {
  await assert.rejects(
    validateSamlResponse(b64(xml), options(extra)),
    (e: { code: string; message: string }) => {
      assert.equal(e.code, code, e.message)
      if (message) assert.match(e.message, message)
      return true
    },
  )
  const evaluation = await evaluateSamlResponse(xml, options(extra))
  assert.equal(evaluation.valid, false)
  assert.equal(evaluation.primary?.code, code)
  return evaluation
}

const statusOf = (e: { checks: readonly { name: string; status: string }[] }, name: string) =>
  e.checks.find((c) => c.name === name)?.status

describe('encrypted assertions that validate', () => {
  test('signed Assertion, AES-256-GCM + RSA-OAEP, unsigned Response', async () => {
    const xml = await encryptedResponse()
    const a = await validateSamlResponse(b64(xml), options())
    assert.equal(a.nameId, 'alice@example.com')
    assert.equal(a.nameIdFormat, 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress')
    assert.equal(a.issuer, idpEntityId)
    assert.equal(a.assertionId, '_a-1')
    assert.equal(a.signedElement, 'Assertion')
    assert.equal(a.signedBy.fingerprint256, keys.current.cert.fingerprint256)
    assert.deepEqual(a.attributes.groups, ['admins', 'devs'])
    assert.deepEqual(a.attributes.email, ['alice@example.com'])
    assert.deepEqual(samlClaims(a).aud, [spEntityId])

    const evaluation = await evaluateSamlResponse(xml, options())
    assert.equal(evaluation.valid, true)
    assert.equal(statusOf(evaluation, 'decryption'), 'ok')
    assert.deepEqual(evaluation.checks.map((c) => c.name).slice(0, 4), [
      'decode',
      'structure',
      'decryption',
      'issuer',
    ])
  })

  test('signed Assertion inside a signed Response', async () => {
    const a = await validateSamlResponse(
      await encryptedResponse({ signResponse: true, fields: { nameId: 'bob@example.com' } }),
      options(),
    )
    assert.equal(a.nameId, 'bob@example.com')
    assert.equal(a.signedElement, 'Assertion')
  })

  test('unsigned Assertion inside a signed Response: the signature covers the ciphertext', async () => {
    const a = await validateSamlResponse(
      await encryptedResponse({ signAssertion: false, signResponse: true }),
      options(),
    )
    assert.equal(a.signedElement, 'Response')
    assert.equal(a.nameId, 'alice@example.com')
  })

  test('XML Encryption 1.1 RSA-OAEP with SHA-256 and AES-128-GCM', async () => {
    const xml = await encryptedResponse({
      key: alg.rsaOaep11,
      digest: 'sha256',
      content: alg.aes128Gcm,
    })
    assert.equal((await validateSamlResponse(xml, options())).nameId, 'alice@example.com')
  })

  test('AES-CBC where the IdP entry allows it', async () => {
    const xml = await encryptedResponse({ content: alg.aes256Cbc })
    const a = await validateSamlResponse(xml, options({ idps: [{ ...idp, allowCbc: true }] }))
    assert.equal(a.nameId, 'alice@example.com')
  })

  test('no Response Issuer: CBC allowed because the decrypted Issuer’s IdP allows it', async () => {
    const xml = await encryptedResponse({ content: alg.aes128Cbc, noResponseIssuer: true })
    const idps = [
      { entityId: otherIdp, signingCertificates: [keys.next.cert] },
      { ...idp, allowCbc: true },
    ]
    assert.equal((await validateSamlResponse(xml, options({ idps }))).issuer, idpEntityId)
  })
})

describe('encrypted assertions that are rejected', () => {
  test('no SP key configured → decryption_failed', async () => {
    const xml = await encryptedResponse()
    const { decryptionKey: _, ...withoutKey } = options()
    await assert.rejects(
      validateSamlResponse(xml, withoutKey),
      (e: { code: string; message: string }) => {
        assert.equal(e.code, 'decryption_failed')
        assert.match(e.message, /no SP decryption key is configured/)
        return true
      },
    )
    const evaluation = await evaluateSamlResponse(xml, withoutKey)
    assert.equal(evaluation.primary?.code, 'decryption_failed')
    assert.equal(statusOf(evaluation, 'decryption'), 'failed')
    for (const name of ['issuer', 'signature', 'assertion', 'audience', 'expiry']) {
      assert.equal(statusOf(evaluation, name), 'skipped', name)
    }
    // The envelope is unsigned here (the signature is inside the ciphertext): not shown as checked.
    for (const name of ['status', 'destination', 'in_response_to'])
      assert.deepEqual(
        evaluation.checks.find((c) => c.name === name),
        { name, status: 'skipped', reason: 'not read: no verified signature covers it' },
      )
    // A Response signature verified before decryption covers the envelope: it is checked.
    const signedEnvelope = await evaluateSamlResponse(
      await encryptedResponse({ signResponse: true }),
      withoutKey,
    )
    assert.equal(statusOf(signedEnvelope, 'decryption'), 'failed')
    assert.equal(statusOf(signedEnvelope, 'status'), 'ok')
    assert.equal(statusOf(signedEnvelope, 'destination'), 'ok')
    assert.equal(statusOf(signedEnvelope, 'expiry'), 'skipped')
  })

  test('wrong SP key → decryption_failed', async () => {
    await rejects(await encryptedResponse(), 'decryption_failed', {
      decryptionKey: createPrivateKey(keys.current.key),
    })
  })

  test('tampered ciphertext → decryption_failed (GCM tag)', async () => {
    const xml = await encryptedResponse({ alterCiphertext: flipContentBit })
    await rejects(xml, 'decryption_failed', {}, /altered/)
  })

  test('tampered ciphertext in a signed Response → bad_signature, before any decryption', async () => {
    const signed = await encryptedResponse({ signResponse: true })
    const tampered = signed.replace(
      /<(?:\w+:)?EncryptedData[\s\S]*<\/(?:\w+:)?EncryptedData>/,
      (d) => flipContentBit(d),
    )
    assert.notEqual(tampered, signed)
    const evaluation = await rejects(tampered, 'bad_signature')
    assert.equal(statusOf(evaluation, 'decryption'), 'skipped')
    assert.equal(statusOf(evaluation, 'signature'), 'failed')
  })

  test('AES-CBC without allowCbc → alg_not_allowed', async () => {
    const xml = await encryptedResponse({ content: alg.aes256Cbc })
    await rejects(xml, 'alg_not_allowed', {}, /allowCbc/)
  })

  test('CBC allowed for another IdP does not cover this IdP’s assertion → alg_not_allowed', async () => {
    const idps = [
      idp,
      { entityId: otherIdp, signingCertificates: [keys.next.cert], allowCbc: true },
    ]
    // Without a Response Issuer, CBC is decrypted (some IdP allows it), then refused.
    const anonymous = await encryptedResponse({ content: alg.aes128Cbc, noResponseIssuer: true })
    await rejects(anonymous, 'alg_not_allowed', { idps }, /was encrypted with AES-CBC/)
    // A Response Issuer naming the IdP that allows CBC does not help either.
    const claimed = await encryptedResponse({
      content: alg.aes128Cbc,
      fields: { issuer: otherIdp, assertionIssuer: idpEntityId },
    })
    await rejects(claimed, 'alg_not_allowed', { idps })
  })

  test('decrypted Assertion signed by an untrusted key → untrusted_key', async () => {
    const xml = await encryptedResponse({ signAssertion: { by: keys.attacker } })
    await rejects(xml, 'untrusted_key')
  })

  test('decrypted Assertion modified after signing → bad_signature', async () => {
    const xml = await encryptedResponse({
      alterPlaintext: (a) => a.replace('alice@example.com', 'admin@example.com'),
    })
    await rejects(xml, 'bad_signature')
  })

  test('unsigned encrypted Assertion inside an unsigned Response → missing_signature', async () => {
    await rejects(await encryptedResponse({ signAssertion: false }), 'missing_signature')
  })

  test('XSW: an EncryptedAssertion beside a plain signed Assertion → multiple_assertions', async () => {
    const plain = sign(assertionXml({ assertionId: '_evil', nameId: 'admin@example.com' }), '_evil')
    await rejects(await encryptedResponse({ fields: { after: plain } }), 'multiple_assertions')
    // And in the other order, the genuine signed Response with an encrypted one added.
    const genuine = signedResponse()
    const data = await encryptXml(assertionXml({ assertionId: '_evil' }))
    const doubled = genuine.replace(
      '</samlp:Response>',
      `<saml:EncryptedAssertion>${data}</saml:EncryptedAssertion></samlp:Response>`,
    )
    await rejects(doubled, 'multiple_assertions')
  })

  test('a Signature out of place, in the ciphertext wrapper or in the decrypted Assertion → malformed', async () => {
    const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/
    const signedAssertion = sign(assertionXml(), '_a-1')
    const found = signedAssertion.match(signature)?.[0] as string
    const beside = await encryptedResponse({
      signAssertion: false,
      alterCiphertext: (d) => `${found}${d}`,
    })
    await rejects(beside, 'malformed', {}, /EncryptedAssertion/)
    const nested = await encryptedResponse({
      alterPlaintext: (a) => a.replace('<saml:Subject>', `<saml:Subject>${found}`),
    })
    await rejects(nested, 'malformed', {}, /decrypted Assertion/)
  })

  test('signed Response without Issuer when several IdPs are trusted → issuer_mismatch', async () => {
    const xml = await encryptedResponse({ signResponse: true, noResponseIssuer: true })
    const idps = [idp, { entityId: otherIdp, signingCertificates: [keys.next.cert] }]
    const evaluation = await rejects(xml, 'issuer_mismatch', { idps }, /Response Issuer/)
    assert.equal(statusOf(evaluation, 'decryption'), 'skipped')
  })

  test('signed Response naming an unknown IdP → issuer_mismatch (validate and doctor agree)', async () => {
    const xml = await encryptedResponse({
      signResponse: true,
      fields: { issuer: otherIdp, assertionIssuer: idpEntityId },
    })
    const evaluation = await rejects(xml, 'issuer_mismatch')
    // The doctor still opens it with the lone IdP to say what else holds.
    assert.equal(statusOf(evaluation, 'decryption'), 'ok')
    assert.equal(statusOf(evaluation, 'signature'), 'ok')
  })

  test('profile checks run on the decrypted Assertion', async () => {
    await rejects(
      await encryptedResponse({ fields: { audience: `${spEntityId}/` } }),
      'audience_mismatch',
    )
    await rejects(await encryptedResponse({ fields: { notOnOrAfter: now - 600 } }), 'expired')
    await rejects(
      await encryptedResponse({ fields: { recipient: `${acsUrl}x` } }),
      'recipient_mismatch',
    )
  })

  test('an encrypted assertion is accepted once → replay', async () => {
    const replay = new MemoryReplayStore({ clock: () => now })
    const xml = await encryptedResponse()
    await validateSamlResponse(xml, options({ replay }))
    await assert.rejects(validateSamlResponse(xml, options({ replay })), { code: 'replay' })
  })
})
