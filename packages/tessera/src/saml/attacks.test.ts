import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MemoryReplayStore } from '@tessera/verify'
import {
  evaluateSamlResponse,
  type SamlEvaluation,
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
  requestId,
  responseXml,
  sign,
  signedResponse,
  spEntityId,
} from './testing/test-idp.ts'

const b64 = (xml: string) => Buffer.from(xml).toString('base64')

function options(extra: Partial<SamlValidationOptions> = {}): SamlValidationOptions {
  return {
    idps: [{ entityId: idpEntityId, signingCertificates: [keys.current.cert] }],
    spEntityId,
    acsUrl,
    requestId,
    clock: () => now,
    ...extra,
  }
}

async function rejects(xml: string, code: string, extra: Partial<SamlValidationOptions> = {}) {
  await assert.rejects(
    validateSamlResponse(b64(xml), options(extra)),
    (e: { code: string; message: string }) => {
      assert.equal(e.code, code, e.message)
      return true
    },
  )
  const evaluation = await evaluateSamlResponse(xml, options(extra))
  assert.equal(evaluation.valid, false)
  assert.equal(evaluation.primary?.code, code)
}

const signedAssertion = () => sign(assertionXml(), '_a-1')
// The checks that read the Response or its Assertion, skipped when no verified signature covers it.
const contentChecks = [
  'issuer',
  'assertion',
  'status',
  'destination',
  'in_response_to',
  'subject_confirmation',
  'audience',
  'not_before',
  'expiry',
  'name_id',
]
const unsignedChecks = (evaluation: SamlEvaluation) =>
  evaluation.checks
    .filter((c) => c.reason === 'not read: no verified signature covers it')
    .map((c) => c.name)
const evilAssertion = () => assertionXml({ assertionId: '_evil', nameId: 'admin@example.com' })
const signedWholeResponse = () => sign(responseXml(), '_r-1')

describe('a genuine Response', () => {
  test('signed Assertion validates and reads only signed content', async () => {
    const a = await validateSamlResponse(b64(signedResponse()), options())
    assert.equal(a.nameId, 'alice@example.com')
    assert.equal(a.signedElement, 'Assertion')
    assert.deepEqual(a.attributes.groups, ['admins', 'devs'])
    assert.equal(a.signedBy.fingerprint256, keys.current.cert.fingerprint256)
    const claims = samlClaims(a)
    assert.equal(claims.sub, 'alice@example.com')
    assert.equal(claims.iss, idpEntityId)
    assert.deepEqual(claims.aud, [spEntityId])
    assert.equal(claims.jti, '_a-1')
    assert.deepEqual(claims.groups, ['admins', 'devs'])
  })

  test('signed Response (assertion unsigned) validates; raw XML input works too', async () => {
    const a = await validateSamlResponse(signedWholeResponse(), options())
    assert.equal(a.signedElement, 'Response')
  })

  test('ECDSA P-256 signatures verify', async () => {
    const xml = signedResponse(
      {},
      { by: keys.ec, algorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256' },
    )
    const a = await validateSamlResponse(
      b64(xml),
      options({ idps: [{ entityId: idpEntityId, signingCertificates: [keys.ec.cert] }] }),
    )
    assert.equal(a.signedBy.fingerprint256, keys.ec.cert.fingerprint256)
  })

  test('SHA-1 is refused unless the IdP entry allows it', async () => {
    const xml = signedResponse(
      {},
      {
        algorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
      },
    )
    await rejects(xml, 'alg_not_allowed')
    await assert.rejects(validateSamlResponse(b64(xml), options()), /allowSha1/)
    const a = await validateSamlResponse(
      b64(xml),
      options({
        idps: [
          { entityId: idpEntityId, signingCertificates: [keys.current.cert], allowSha1: true },
        ],
      }),
    )
    assert.equal(a.nameId, 'alice@example.com')
  })
})

describe('signature wrapping (XSW1–XSW8, Somorovsky et al. 2012)', () => {
  const sig = (xml: string) => /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)?.[0] ?? ''
  const strip = (xml: string) => xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '')
  const original = signedWholeResponse()
  const originalAssertion = signedAssertion()
  const evilResponse = (inner: string) => responseXml({ responseId: '_evil-r' }, inner)

  const attacks: [string, string, string][] = [
    // XSW1: the original Response hidden in the Signature's Object, evil content at the top.
    [
      'XSW1',
      evilResponse(evilAssertion()).replace(
        '</saml:Issuer>',
        `</saml:Issuer>${sig(original).replace('</ds:Signature>', `<ds:Object>${strip(original)}</ds:Object></ds:Signature>`)}`,
      ),
      'multiple_assertions',
    ],
    // XSW2: the original Response as a detached sibling before the signature.
    [
      'XSW2',
      evilResponse(evilAssertion()).replace(
        '</saml:Issuer>',
        `</saml:Issuer>${strip(original)}${sig(original)}`,
      ),
      'multiple_assertions',
    ],
    // XSW3: an evil Assertion placed before the signed one.
    ['XSW3', responseXml({}, evilAssertion() + originalAssertion), 'multiple_assertions'],
    // XSW4: the signed Assertion wrapped inside the evil one.
    [
      'XSW4',
      responseXml(
        {},
        evilAssertion().replace('</saml:Assertion>', `${originalAssertion}</saml:Assertion>`),
      ),
      'multiple_assertions',
    ],
    // XSW5: the signature moved to the evil Assertion, the original after it unsigned.
    [
      'XSW5',
      responseXml(
        {},
        evilAssertion().replace('</saml:Issuer>', `</saml:Issuer>${sig(originalAssertion)}`) +
          strip(originalAssertion),
      ),
      'multiple_assertions',
    ],
    // XSW6: as XSW5, the original inside the signature's Object.
    [
      'XSW6',
      responseXml(
        {},
        evilAssertion().replace(
          '</saml:Issuer>',
          `</saml:Issuer>${sig(originalAssertion).replace('</ds:Signature>', `<ds:Object>${strip(originalAssertion)}</ds:Object></ds:Signature>`)}`,
        ),
      ),
      'multiple_assertions',
    ],
    // XSW7: the signed Assertion hidden in Extensions, the evil one in its place.
    [
      'XSW7',
      responseXml(
        {},
        `<samlp:Extensions>${originalAssertion}</samlp:Extensions>${evilAssertion()}`,
      ),
      'multiple_assertions',
    ],
    // XSW8: the signature on the evil Assertion, the original (unsigned) in its Object.
    [
      'XSW8',
      responseXml(
        {},
        evilAssertion().replace(
          '</saml:Issuer>',
          `</saml:Issuer>${sig(originalAssertion).replace('</ds:SignatureValue>', `</ds:SignatureValue><ds:Object>${strip(originalAssertion)}</ds:Object>`)}`,
        ),
      ),
      'multiple_assertions',
    ],
  ]
  for (const [name, xml, code] of attacks) {
    test(`${name} is rejected as ${code} and never yields the evil NameID`, async () => {
      await rejects(xml, code)
      const evaluation = await evaluateSamlResponse(xml, options())
      assert.deepEqual(
        evaluation.checks.filter((c) => c.status === 'failed').map((c) => c.name),
        ['structure'],
      )
      assert.doesNotMatch(JSON.stringify(evaluation), /admin@example/)
    })
  }

  // The same attacks with exactly one Assertion (the evil one), so the count cannot stop them
  // and the reference-based reading must: the IdP-signed element is either gone (its
  // Signature left behind) or an assertion-less Response the IdP signed (an error answer,
  // say) hidden where the variant hides the original.
  const bare = sign(responseXml({}, ''), '_r-1')
  const afterIssuer = (xml: string, inserted: string) =>
    xml.replace('</saml:Issuer>', `</saml:Issuer>${inserted}`)
  const inObject = (signature: string, content: string) =>
    signature.replace('</ds:Signature>', `<ds:Object>${content}</ds:Object></ds:Signature>`)
  const evilAs = (id: string) => assertionXml({ assertionId: id, nameId: 'admin@example.com' })
  const single: [string, string, string, 'signature' | 'structure', RegExp][] = [
    [
      'XSW1',
      afterIssuer(evilResponse(evilAssertion()), inObject(sig(bare), strip(bare))),
      'malformed',
      'signature',
      /Response signature references "#_r-1", expected "#_evil-r"/,
    ],
    [
      'XSW2',
      afterIssuer(evilResponse(evilAssertion()), `${strip(bare)}${sig(bare)}`),
      'malformed',
      'signature',
      /Response signature references "#_r-1", expected "#_evil-r"/,
    ],
    [
      'XSW3',
      afterIssuer(responseXml({}, evilAssertion()), sig(originalAssertion)),
      'malformed',
      'signature',
      /Response signature references "#_a-1", expected "#_r-1"/,
    ],
    [
      'XSW4',
      responseXml(
        {},
        afterIssuer(evilAssertion(), sig(bare)).replace(
          '</saml:Assertion>',
          `<saml:Advice>${strip(bare)}</saml:Advice></saml:Assertion>`,
        ),
      ),
      'malformed',
      'signature',
      /Assertion signature references "#_r-1", expected "#_evil"/,
    ],
    [
      'XSW5',
      responseXml({}, afterIssuer(evilAssertion(), sig(originalAssertion))),
      'malformed',
      'signature',
      /Assertion signature references "#_a-1", expected "#_evil"/,
    ],
    [
      'XSW5 (evil Assertion under the signed ID)',
      responseXml({}, afterIssuer(evilAs('_a-1'), sig(originalAssertion))),
      'bad_signature',
      'signature',
      /digest does not match/,
    ],
    [
      'XSW6',
      responseXml({}, afterIssuer(evilAssertion(), inObject(sig(bare), strip(bare)))),
      'malformed',
      'signature',
      /Assertion signature references "#_r-1", expected "#_evil"/,
    ],
    [
      'XSW7',
      responseXml(
        {},
        `<samlp:Extensions>${strip(bare)}</samlp:Extensions>${afterIssuer(evilAssertion(), sig(bare))}`,
      ),
      'malformed',
      'signature',
      /Assertion signature references "#_r-1", expected "#_evil"/,
    ],
    [
      'XSW7 (the signed Response, signature included, in Extensions)',
      responseXml({}, `${evilAssertion()}<samlp:Extensions>${bare}</samlp:Extensions>`),
      'malformed',
      'structure',
      /a Signature sits inside Response, where no signature belongs/,
    ],
    [
      'XSW8',
      responseXml(
        {},
        afterIssuer(
          evilAssertion(),
          sig(bare).replace(
            '</ds:SignatureValue>',
            `</ds:SignatureValue><ds:Object>${strip(bare)}</ds:Object>`,
          ),
        ),
      ),
      'malformed',
      'signature',
      /Assertion signature references "#_r-1", expected "#_evil"/,
    ],
  ]
  for (const [name, xml, code, check, message] of single) {
    test(`${name} with a single Assertion fails the ${check} check as ${code}`, async () => {
      assert.equal(xml.match(/<saml:Assertion\b/g)?.length, 1)
      assert.match(xml, /admin@example\.com/)
      await assert.rejects(
        validateSamlResponse(b64(xml), options()),
        (e: Error & { code: string }) => {
          assert.equal(e.code, code, e.message)
          assert.match(e.message, message)
          assert.doesNotMatch(e.message, /admin@example/)
          return true
        },
      )
      const evaluation = await evaluateSamlResponse(xml, options())
      assert.equal(evaluation.valid, false)
      assert.equal(evaluation.primary?.code, code)
      assert.deepEqual(
        evaluation.checks.filter((c) => c.status === 'failed').map((c) => c.name),
        [check],
      )
      // Nothing is read from an Assertion no verified signature covers, nor shown as checked.
      assert.equal(evaluation.assertion, undefined)
      assert.doesNotMatch(JSON.stringify(evaluation), /admin@example/)
      if (check === 'signature') assert.deepEqual(unsignedChecks(evaluation), contentChecks)
    })
  }

  test('the signature moved onto an evil Assertion (single assertion) is a reference mismatch', async () => {
    const xml = responseXml(
      {},
      evilAssertion().replace('</saml:Issuer>', `</saml:Issuer>${sig(originalAssertion)}`),
    )
    await rejects(xml, 'malformed')
  })

  test('duplicate IDs: another element carrying the signed Assertion ID', async () => {
    const xml = responseXml(
      {},
      `<samlp:Extensions><x ID="_a-1"/></samlp:Extensions>${originalAssertion}`,
    )
    await rejects(xml, 'malformed')
    await assert.rejects(validateSamlResponse(xml, options()), /duplicate IDs/)
  })

  test('a signature in an unexpected place is refused', async () => {
    const xml = responseXml({}, originalAssertion).replace(
      '<samlp:Status>',
      `<samlp:Status>${sig(originalAssertion)}`,
    )
    await rejects(xml, 'malformed')
  })

  test('a second assertion is refused', async () => {
    await rejects(
      responseXml({}, originalAssertion + assertionXml({ assertionId: '_a-2' })),
      'multiple_assertions',
    )
  })
})

describe('content and key attacks', () => {
  test('a comment in the NameID never truncates it', async () => {
    const signed = signedResponse({ nameId: 'admin.evil' })
    const injected = signed.replace('admin.evil', 'admin<!---->.evil')
    const a = await validateSamlResponse(b64(injected), options())
    assert.equal(a.nameId, 'admin.evil')
    const b = await validateSamlResponse(
      b64(signedResponse({ nameId: 'admin<!-- x -->.evil' })),
      options(),
    )
    assert.equal(b.nameId, 'admin.evil')
  })

  test('signature exclusion: an unsigned Response', async () => {
    await rejects(responseXml(), 'missing_signature')
    // The doctor reads none of its content: every check of it is skipped, none ok.
    const evaluation = await evaluateSamlResponse(responseXml(), options())
    assert.deepEqual(
      evaluation.checks.filter((c) => c.status === 'ok').map((c) => c.name),
      ['decode', 'structure'],
    )
    assert.deepEqual(unsignedChecks(evaluation), contentChecks)
    // The same Response signed: every content check runs and passes.
    const signed = await evaluateSamlResponse(signedResponse(), options())
    assert.deepEqual(
      signed.checks.filter((c) => c.status === 'ok').map((c) => c.name),
      ['decode', 'structure', 'issuer', 'signature', ...contentChecks.slice(1)],
    )
  })

  test('a modified signed Assertion fails its digest', async () => {
    await rejects(
      signedResponse().replace(
        'alice@example.com</saml:NameID>',
        'admin@example.com</saml:NameID>',
      ),
      'bad_signature',
    )
  })

  test('attacker key with the attacker certificate in KeyInfo', async () => {
    const xml = signedResponse({}, { by: keys.attacker })
    await rejects(xml, 'untrusted_key')
    await assert.rejects(validateSamlResponse(xml, options()), (e: Error) => {
      assert.match(e.message, new RegExp(keys.attacker.cert.fingerprint256))
      assert.match(e.message, /CN=Attacker/)
      assert.doesNotMatch(e.message, /next certificate/)
      return true
    })
  })

  test('attacker key with the genuine certificate in KeyInfo', async () => {
    await rejects(signedResponse({}, { by: keys.attacker, keyInfo: keys.current }), 'bad_signature')
  })

  test('attacker key without KeyInfo', async () => {
    await rejects(signedResponse({}, { by: keys.attacker, keyInfo: null }), 'bad_signature')
  })

  test('entity expansion and external entities are refused before parsing', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>${signedResponse().replace('alice@example.com</saml:NameID>', '&b;</saml:NameID>')}`
    await rejects(bomb, 'malformed')
    const xxe = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${signedResponse()}`
    await rejects(xxe, 'malformed')
    await rejects(`<?xml-stylesheet href="x"?>${signedResponse()}`, 'malformed')
  })
})

describe('certificate rollover', () => {
  const both = {
    idps: [{ entityId: idpEntityId, signingCertificates: [keys.current.cert, keys.next.cert] }],
  }
  test('old and new certificates both verify', async () => {
    assert.equal(
      (await validateSamlResponse(b64(signedResponse()), options(both))).signedBy.fingerprint256,
      keys.current.cert.fingerprint256,
    )
    const byNext = signedResponse({}, { by: keys.next })
    assert.equal(
      (await validateSamlResponse(b64(byNext), options(both))).signedBy.fingerprint256,
      keys.next.cert.fingerprint256,
    )
    const noKeyInfo = signedResponse({}, { by: keys.next, keyInfo: null })
    assert.equal(
      (await validateSamlResponse(b64(noKeyInfo), options(both))).signedBy.fingerprint256,
      keys.next.cert.fingerprint256,
    )
  })

  test('a signer absent from metadata gets the rotation explanation', async () => {
    await assert.rejects(
      validateSamlResponse(b64(signedResponse({}, { by: keys.next })), options()),
      (e: { code: string; message: string }) => {
        assert.equal(e.code, 'untrusted_key')
        assert.match(e.message, /looks like the IdP's next certificate/)
        assert.match(e.message, new RegExp(keys.next.cert.fingerprint256))
        assert.match(e.message, new RegExp(keys.current.cert.fingerprint256))
        return true
      },
    )
  })
})

describe('profile checks', () => {
  const cases: [string, string, Partial<SamlValidationOptions>, string?][] = [
    [
      'audience with a trailing slash',
      signedResponse({ audience: `${spEntityId}/` }),
      {},
      'audience_mismatch',
    ],
    ['no audience restriction', signedResponse({ audience: null }), {}, 'missing_claim'],
    [
      'recipient',
      signedResponse({ recipient: 'http://sp.example.com/saml/acs' }),
      {},
      'recipient_mismatch',
    ],
    ['destination', signedResponse({ destination: `${acsUrl}/` }), {}, 'destination_mismatch'],
    [
      'assertion issuer',
      signedResponse({ assertionIssuer: `${idpEntityId}/` }),
      {},
      'issuer_mismatch',
    ],
    [
      'response issuer',
      signedResponse({ issuer: 'https://other.example.com', assertionIssuer: idpEntityId }),
      {},
      'issuer_mismatch',
    ],
    ['in response to', signedResponse({ inResponseTo: '_other' }), {}, 'in_response_to_mismatch'],
    [
      'status',
      signedResponse({ status: 'urn:oasis:names:tc:SAML:2.0:status:Requester' }),
      {},
      'status_not_success',
    ],
    ['expired', signedResponse({ notOnOrAfter: now - 120 }), {}, 'expired'],
    ['not yet valid', signedResponse({ notBefore: now + 120 }), {}, 'not_yet_valid'],
    [
      'not bearer',
      signedResponse({ method: 'urn:oasis:names:tc:SAML:2.0:cm:holder-of-key' }),
      {},
      'missing_claim',
    ],
    ['too large', signedResponse(), { maxBytes: 1000 }, 'too_large'],
  ]
  for (const [name, xml, extra, code] of cases) {
    test(`${name} → ${code}`, async () => {
      await rejects(xml, code as string, extra)
    })
  }

  test('near-miss hints', async () => {
    const e = await evaluateSamlResponse(signedResponse({ audience: `${spEntityId}/` }), options())
    assert.equal(e.primary?.hint, 'trailing_slash')
    const late = await evaluateSamlResponse(signedResponse({ notOnOrAfter: now - 100 }), options())
    assert.equal(late.primary?.hint, 'clock_skew')
  })

  test('evaluate reports every failure without recording the assertion', async () => {
    const replay = new MemoryReplayStore()
    const e = await evaluateSamlResponse(
      signedResponse({ audience: 'urn:x', recipient: 'urn:y' }),
      options({ replay }),
    )
    assert.equal(e.valid, false)
    assert.deepEqual(
      e.checks.filter((c) => c.status === 'failed').map((c) => c.error?.code),
      ['recipient_mismatch', 'audience_mismatch'],
    )
    const ok = await evaluateSamlResponse(signedResponse(), options({ replay }))
    assert.equal(ok.valid, true)
    assert.equal(ok.assertion?.nameId, 'alice@example.com')
    await validateSamlResponse(b64(signedResponse()), options({ replay }))
  })

  test('an assertion ID is accepted once', async () => {
    const replay = new MemoryReplayStore()
    const xml = b64(signedResponse())
    await validateSamlResponse(xml, options({ replay }))
    await assert.rejects(validateSamlResponse(xml, options({ replay })), { code: 'replay' })
  })

  test('bad input: not base64, not XML, bad options, encrypted without a key', async () => {
    await assert.rejects(validateSamlResponse('%%%not base64', options()), { code: 'malformed' })
    await assert.rejects(validateSamlResponse(b64('hello'), options()), { code: 'malformed' })
    await assert.rejects(validateSamlResponse('<a><b></a>', options()), { code: 'malformed' })
    await assert.rejects(validateSamlResponse('<a/>', options()), { code: 'malformed' })
    await assert.rejects(validateSamlResponse('', options()), { code: 'malformed' })
    await assert.rejects(validateSamlResponse('x'.repeat(600_000), options()), {
      code: 'too_large',
    })
    await assert.rejects(
      validateSamlResponse(
        signedResponse(),
        options({ idps: [], spEntityId: '', clockSkewSeconds: -1, maxBytes: 0 }),
      ),
      { code: 'invalid_options' },
    )
    const encrypted = responseXml({}, '<saml:EncryptedAssertion><x/></saml:EncryptedAssertion>')
    await assert.rejects(validateSamlResponse(encrypted, options()), { code: 'decryption_failed' })
    await assert.rejects(
      validateSamlResponse(
        responseXml({ status: 'urn:oasis:names:tc:SAML:2.0:status:Responder' }, ''),
        options(),
      ),
      { code: 'status_not_success' },
    )
    await assert.rejects(validateSamlResponse(responseXml({}, ''), options()), {
      code: 'missing_claim',
    })
    await assert.rejects(
      validateSamlResponse(
        signedResponse({ assertionIssuer: 'https://unknown.example.org' }),
        options(),
      ),
      { code: 'issuer_mismatch' },
    )
  })
})
