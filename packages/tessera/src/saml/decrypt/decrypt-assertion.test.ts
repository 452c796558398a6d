import assert from 'node:assert/strict'
import { generateKeyPairSync } from 'node:crypto'
import { describe, it } from 'node:test'
import { isTesseraError, type TesseraError } from '@tessera/verify'
import { decryptAssertion } from './decrypt-assertion.ts'
import { publicKeyFingerprint } from './key-label.ts'
import {
  alg,
  encryptAssertion,
  encryptedAssertionElement,
  encryptXml,
  sampleAssertion,
  spKey,
} from './testing/encrypt.ts'

const gcmOnly = { allowCbc: false }
const withCbc = { allowCbc: true }

function failure(fn: () => unknown): TesseraError {
  try {
    fn()
  } catch (error) {
    assert.ok(isTesseraError(error), `expected a TesseraError, got ${String(error)}`)
    return error
  }
  assert.fail('expected a TesseraError')
}

// Flips one base64 character of the n-th CipherValue (0: the EncryptedKey's, 1: the content's).
function tamper(encryptedData: string, which: 0 | 1, at: 'start' | 'end'): string {
  let seen = -1
  return encryptedData.replace(/(<(?:\w+:)?CipherValue>)([^<]+)(<)/g, (all, open, value, close) => {
    seen += 1
    if (seen !== which) return all
    const v = value as string
    const i = at === 'start' ? 4 : v.replace(/=+$/, '').length - 2
    const flipped = v[i] === 'A' ? 'B' : 'A'
    return `${open}${v.slice(0, i)}${flipped}${v.slice(i + 1)}${close}`
  })
}

const otherKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })

describe('decryptAssertion', () => {
  describe('allowed algorithms decrypt', () => {
    it('AES-256-GCM with RSA-OAEP (mgf1p, SHA-1)', async () => {
      const element = await encryptAssertion({ content: alg.aes256Gcm, key: alg.rsaOaepMgf1p })
      assert.equal(decryptAssertion(element, spKey, gcmOnly), sampleAssertion())
    })

    it('AES-128-GCM with xmlenc11 RSA-OAEP, SHA-256 digest and MGF1-SHA-256', async () => {
      const element = await encryptAssertion({
        content: alg.aes128Gcm,
        key: alg.rsaOaep11,
        digest: 'sha256',
        mgf: 'sha256',
      })
      assert.equal(decryptAssertion(element, spKey, gcmOnly), sampleAssertion())
    })

    it('RSA-OAEP mgf1p with a SHA-256 digest (MGF1 stays SHA-1)', async () => {
      const element = await encryptAssertion({ key: alg.rsaOaepMgf1p, digest: 'sha256' })
      assert.equal(decryptAssertion(element, spKey, gcmOnly), sampleAssertion())
    })

    it('AES-256-CBC and AES-128-CBC when the IdP entry allows CBC', async () => {
      for (const content of [alg.aes256Cbc, alg.aes128Cbc]) {
        const element = await encryptAssertion({ content })
        assert.equal(decryptAssertion(element, spKey, withCbc), sampleAssertion())
      }
    })

    it('an EncryptedKey beside EncryptedData, reached by RetrievalMethod (the SAML layout)', async () => {
      const data = await encryptXml(sampleAssertion())
      const element = encryptedAssertionElement(data)
      const keyInfo = element.getElementsByTagNameNS(
        'http://www.w3.org/2000/09/xmldsig#',
        'KeyInfo',
      )[0]
      assert.ok(keyInfo)
      const encryptedKey = keyInfo.getElementsByTagNameNS(
        'http://www.w3.org/2001/04/xmlenc#',
        'EncryptedKey',
      )[0]
      assert.ok(encryptedKey)
      keyInfo.removeChild(encryptedKey)
      encryptedKey.setAttribute('Id', '_k1')
      element.appendChild(encryptedKey)
      const doc = element.ownerDocument
      const retrieval = doc.createElementNS('http://www.w3.org/2000/09/xmldsig#', 'RetrievalMethod')
      retrieval.setAttribute('URI', '#_k1')
      retrieval.setAttribute('Type', 'http://www.w3.org/2001/04/xmlenc#EncryptedKey')
      keyInfo.appendChild(retrieval)
      assert.equal(decryptAssertion(element, spKey, gcmOnly), sampleAssertion())

      retrieval.setAttribute('URI', '#_missing')
      const e = failure(() => decryptAssertion(element, spKey, gcmOnly))
      assert.equal(e.code, 'malformed')
      assert.match(e.message, /RetrievalMethod/)
    })
  })

  describe('refused algorithms', () => {
    it('AES-CBC without allowCbc: alg_not_allowed naming the algorithm, the allowed ones and allowCbc', async () => {
      const element = await encryptAssertion({ content: alg.aes256Cbc })
      const e = failure(() => decryptAssertion(element, spKey, gcmOnly))
      assert.equal(e.code, 'alg_not_allowed')
      assert.equal(e.actual, alg.aes256Cbc)
      assert.deepEqual(e.expected, [alg.aes128Gcm, alg.aes256Gcm])
      assert.match(e.message, /aes256-cbc/)
      assert.match(e.message, /allowCbc: true/)
    })

    it('RSA 1.5 key transport, even with allowCbc', async () => {
      const element = await encryptAssertion({ key: alg.rsa15 })
      for (const options of [gcmOnly, withCbc]) {
        const e = failure(() => decryptAssertion(element, spKey, options))
        assert.equal(e.code, 'alg_not_allowed')
        assert.equal(e.actual, alg.rsa15)
        assert.deepEqual(e.expected, [alg.rsaOaepMgf1p, alg.rsaOaep11])
        assert.match(e.message, /RSA 1\.5 key transport is never accepted/)
      }
    })

    it('3DES, even with allowCbc', async () => {
      const data = (await encryptXml(sampleAssertion())).replace(alg.aes256Gcm, alg.tripleDes)
      const e = failure(() => decryptAssertion(encryptedAssertionElement(data), spKey, withCbc))
      assert.equal(e.code, 'alg_not_allowed')
      assert.equal(e.actual, alg.tripleDes)
      assert.doesNotMatch(e.message, /allowCbc/)
    })

    it('an OAEP digest or MGF the library would silently replace with SHA-1', async () => {
      const digest = (await encryptXml(sampleAssertion(), { digest: 'sha256' })).replace(
        'http://www.w3.org/2001/04/xmlenc#sha256',
        'http://www.w3.org/2001/04/xmldsig-more#sha384',
      )
      const e1 = failure(() => decryptAssertion(encryptedAssertionElement(digest), spKey, gcmOnly))
      assert.equal(e1.code, 'alg_not_allowed')
      assert.match(e1.message, /RSA-OAEP digest/)

      const mgf = (
        await encryptXml(sampleAssertion(), { key: alg.rsaOaep11, mgf: 'sha256' })
      ).replace('xmlenc11#mgf1sha256', 'xmlenc11#mgf1md5')
      const e2 = failure(() => decryptAssertion(encryptedAssertionElement(mgf), spKey, gcmOnly))
      assert.equal(e2.code, 'alg_not_allowed')
      assert.match(e2.message, /mask generation function/)
    })

    it('every EncryptedKey is checked, not only the first', async () => {
      const good = await encryptXml(sampleAssertion())
      const bad = await encryptXml(sampleAssertion(), { key: alg.rsa15 })
      const badKey = /<e:EncryptedKey[\s\S]*<\/e:EncryptedKey>/.exec(bad)?.[0] ?? ''
      const element = encryptedAssertionElement(good)
      const extra = element.ownerDocument.createElementNS('urn:x', 'x:Holder')
      element.appendChild(extra)
      const parsed = encryptedAssertionElement(
        `<KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#">${badKey}</KeyInfo>`,
      )
      extra.appendChild(element.ownerDocument.importNode(parsed.firstChild as Node, true))
      const e = failure(() => decryptAssertion(element, spKey, gcmOnly))
      assert.equal(e.code, 'alg_not_allowed')
      assert.equal(e.actual, alg.rsa15)
    })
  })

  describe('wrong key and tampering', () => {
    it('a wrong key: decryption_failed naming the key fingerprint and the certificate encrypted to', async () => {
      const element = await encryptAssertion()
      const e = failure(() => decryptAssertion(element, otherKeys.privateKey, gcmOnly))
      assert.equal(e.code, 'decryption_failed')
      assert.ok(e.message.includes(publicKeyFingerprint(otherKeys.privateKey)))
      assert.match(e.message, /RSA 2048 bits/)
      assert.match(e.message, /CN=Tessera test SP encryption/)
      assert.doesNotMatch(e.message, /BEGIN|PRIVATE/)
      const der = otherKeys.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64')
      assert.ok(!e.message.includes(der.slice(40, 80)))
    })

    it('a wrong key, no certificate in KeyInfo: the generic explanation', async () => {
      const data = (await encryptXml(sampleAssertion())).replace(
        /<X509Data>[\s\S]*<\/X509Data>/,
        '',
      )
      const e = failure(() =>
        decryptAssertion(encryptedAssertionElement(data), otherKeys.privateKey, gcmOnly),
      )
      assert.equal(e.code, 'decryption_failed')
      assert.match(e.message, /content key could not be recovered/)
    })

    it('a wrong key and an unreadable certificate in KeyInfo: the generic explanation', async () => {
      const data = (await encryptXml(sampleAssertion())).replace(
        /<X509Certificate>[^<]*<\/X509Certificate>/,
        '<X509Certificate>bm90IGEgY2VydGlmaWNhdGU=</X509Certificate>',
      )
      const e = failure(() =>
        decryptAssertion(encryptedAssertionElement(data), otherKeys.privateKey, gcmOnly),
      )
      assert.equal(e.code, 'decryption_failed')
      assert.match(e.message, /content key could not be recovered/)
    })

    it('an altered EncryptedKey', async () => {
      const data = tamper(await encryptXml(sampleAssertion()), 0, 'start')
      const e = failure(() => decryptAssertion(encryptedAssertionElement(data), spKey, gcmOnly))
      assert.equal(e.code, 'decryption_failed')
    })

    it('an altered AES-GCM ciphertext fails authentication', async () => {
      const data = tamper(await encryptXml(sampleAssertion()), 1, 'start')
      const e = failure(() => decryptAssertion(encryptedAssertionElement(data), spKey, gcmOnly))
      assert.equal(e.code, 'decryption_failed')
      assert.match(e.message, /authentication tag/)
    })

    it('an altered AES-CBC ciphertext (last block) yields no Assertion', async () => {
      const data = tamper(await encryptXml(sampleAssertion(), { content: alg.aes256Cbc }), 1, 'end')
      const e = failure(() => decryptAssertion(encryptedAssertionElement(data), spKey, withCbc))
      assert.equal(e.code, 'decryption_failed')
    })

    it('a key that cannot unwrap RSA-OAEP: an EC key', async () => {
      const element = await encryptAssertion()
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey
      const e = failure(() => decryptAssertion(element, ec, gcmOnly))
      assert.equal(e.code, 'decryption_failed')
      assert.equal(e.actual, 'private ec')
    })
  })

  describe('the decrypted content', () => {
    const decryptOf = async (plaintext: string): Promise<TesseraError> => {
      const element = encryptedAssertionElement(await encryptXml(plaintext))
      return failure(() => decryptAssertion(element, spKey, gcmOnly))
    }

    it('keeps an XML declaration', async () => {
      const text = `<?xml version="1.0" encoding="UTF-8"?>\n${sampleAssertion()}`
      const element = encryptedAssertionElement(await encryptXml(text))
      assert.equal(decryptAssertion(element, spKey, gcmOnly), text)
    })

    it('refuses a root that is not a SAML Assertion', async () => {
      const e = await decryptOf('<saml:Assertion xmlns:saml="urn:other"/>')
      assert.equal(e.code, 'malformed')
      assert.equal(e.expected, '{urn:oasis:names:tc:SAML:2.0:assertion}Assertion')
      assert.equal(e.actual, '{urn:other}Assertion')
    })

    it('refuses a DOCTYPE', async () => {
      const e = await decryptOf(`<!DOCTYPE x [<!ENTITY e "v">]>${sampleAssertion()}`)
      assert.equal(e.code, 'malformed')
      assert.match(e.message, /DOCTYPE/)
    })

    it('refuses a nested Assertion', async () => {
      const inner = sampleAssertion('_inner')
      const e = await decryptOf(
        sampleAssertion().replace('</saml:Assertion>', `${inner}</saml:Assertion>`),
      )
      assert.equal(e.code, 'multiple_assertions')
      assert.equal(e.actual, '2')
    })

    it('refuses processing instructions and text outside the root', async () => {
      const pi = await decryptOf(
        sampleAssertion().replace('<saml:Issuer>', '<?evil x?><saml:Issuer>'),
      )
      assert.equal(pi.code, 'malformed')
      assert.match(pi.message, /processing instruction/)
      const text = await decryptOf(`${sampleAssertion()} trailing`)
      assert.equal(text.code, 'malformed')
      assert.match(text.message, /outside its root/)
    })

    it('plaintext with broken markup is a decryption failure naming the parser problem', async () => {
      const e = await decryptOf(sampleAssertion().replace('</saml:Issuer>', '</saml:Wrong>'))
      assert.equal(e.code, 'decryption_failed')
      assert.match(e.message, /not well-formed XML \(.+\)/)
    })

    it('plaintext that is not XML is a decryption failure', async () => {
      const e = await decryptOf('not xml at all')
      assert.equal(e.code, 'decryption_failed')
      assert.match(e.message, /not well-formed XML/)
    })
  })

  describe('structure and size', () => {
    it('refuses an input over the size cap before decrypting', async () => {
      const element = await encryptAssertion()
      const e = failure(() => decryptAssertion(element, spKey, { allowCbc: false, maxBytes: 512 }))
      assert.equal(e.code, 'too_large')
      assert.equal(e.expected, 'at most 512 bytes')
    })

    it('refuses an element that is not an EncryptedAssertion', async () => {
      const element = await encryptAssertion()
      const e = failure(() => decryptAssertion(element.parentNode as Element, spKey, gcmOnly))
      assert.equal(e.code, 'malformed')
      assert.match(e.message, /"Response"/)
    })

    it('refuses two EncryptedData, a missing EncryptedKey and a missing CipherValue', async () => {
      const data = await encryptXml(sampleAssertion())
      const two = failure(() =>
        decryptAssertion(encryptedAssertionElement(data + data), spKey, gcmOnly),
      )
      assert.equal(two.code, 'malformed')
      assert.match(two.message, /exactly one EncryptedData/)

      const noKey = data.replace(/<e:EncryptedKey[\s\S]*<\/e:EncryptedKey>/, '')
      const e1 = failure(() => decryptAssertion(encryptedAssertionElement(noKey), spKey, gcmOnly))
      assert.equal(e1.code, 'malformed')
      assert.match(e1.message, /no EncryptedKey/)

      const noValue = data.replace(/<xenc:CipherValue>[^<]*<\/xenc:CipherValue>/, '')
      const e2 = failure(() => decryptAssertion(encryptedAssertionElement(noValue), spKey, gcmOnly))
      assert.equal(e2.code, 'malformed')
      assert.match(e2.message, /CipherData must hold exactly one CipherValue/)
    })
  })
})
