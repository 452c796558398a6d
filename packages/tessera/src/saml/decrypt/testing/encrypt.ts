import { createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { DOMParser } from '@xmldom/xmldom'
import xmlenc from 'xml-encryption'

const here = (name: string): string => new URL(name, import.meta.url).pathname

/** The test SP's encryption certificate (PEM). */
export const spCertificatePem = readFileSync(here('sp.crt'), 'utf8')
/** The test SP's private key (PKCS#8 PEM). */
export const spKeyPem = readFileSync(here('sp.key'), 'utf8')
/** The test SP's private key, imported. */
export const spKey: KeyObject = createPrivateKey(spKeyPem)

/** XML Encryption algorithm identifiers used by the tests. */
export const alg = {
  aes128Gcm: 'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  aes256Gcm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
  aes128Cbc: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  aes256Cbc: 'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
  tripleDes: 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
  rsaOaepMgf1p: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
  rsaOaep11: 'http://www.w3.org/2009/xmlenc11#rsa-oaep',
  rsa15: 'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
} as const

/** A minimal SAML 2.0 Assertion (unsigned: decryption does not look at signatures). */
export function sampleAssertion(id = '_a1'): string {
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="2027-01-15T08:00:00Z"><saml:Issuer>https://idp.example.com/</saml:Issuer><saml:Subject><saml:NameID>alice@example.com</saml:NameID></saml:Subject></saml:Assertion>`
}

/** How the test IdP encrypts. */
export interface EncryptSettings {
  readonly content?: string
  readonly key?: string
  readonly digest?: 'sha1' | 'sha256' | 'sha512'
  readonly mgf?: 'sha1' | 'sha256'
  /** The recipient's public key and certificate; default the test SP's. */
  readonly certificatePem?: string
}

/** Encrypts `plaintext` as xml-encryption's EncryptedData, keeping any algorithm asked for. */
export function encryptXml(plaintext: string, settings: EncryptSettings = {}): Promise<string> {
  const pem = settings.certificatePem ?? spCertificatePem
  return new Promise((resolve, reject) => {
    xmlenc.encrypt(
      plaintext,
      {
        rsa_pub: pem,
        pem,
        encryptionAlgorithm: settings.content ?? alg.aes256Gcm,
        keyEncryptionAlgorithm: settings.key ?? alg.rsaOaepMgf1p,
        ...(settings.digest === undefined ? {} : { keyEncryptionDigest: settings.digest }),
        ...(settings.mgf === undefined ? {} : { keyEncryptionMgf: settings.mgf }),
        disallowEncryptionWithInsecureAlgorithm: false,
        warnInsecureAlgorithm: false,
      },
      (error, result) => (error ? reject(error) : resolve(result as string)),
    )
  })
}

/** Wraps EncryptedData text in `saml:EncryptedAssertion` inside a Response and returns the element. */
export function encryptedAssertionElement(encryptedData: string): Element {
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r1" Version="2.0"><saml:EncryptedAssertion>${encryptedData}</saml:EncryptedAssertion></samlp:Response>`
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  return doc.getElementsByTagNameNS(
    'urn:oasis:names:tc:SAML:2.0:assertion',
    'EncryptedAssertion',
  )[0] as Element
}

/** Encrypts an assertion and returns the EncryptedAssertion element. */
export async function encryptAssertion(settings: EncryptSettings = {}): Promise<Element> {
  return encryptedAssertionElement(await encryptXml(sampleAssertion(), settings))
}
