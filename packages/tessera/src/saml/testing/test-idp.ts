import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { SignedXml } from 'xml-crypto'
import { extraHashAlgorithms, extraSignatureAlgorithms } from '../algorithms.ts'

const dir = join(import.meta.dirname, 'idp')

/** A key pair of the test IdP fixtures (see testing/idp/README.md). */
export interface TestKey {
  readonly key: string
  readonly pem: string
  readonly cert: X509Certificate
}

function load(name: string): TestKey {
  const pem = readFileSync(join(dir, `${name}.pem`), 'utf8')
  return {
    key: readFileSync(join(dir, `${name}.key`), 'utf8'),
    pem,
    cert: new X509Certificate(pem),
  }
}

/** The IdP's current, next, attacker and ECDSA keys. */
export const keys = {
  current: load('current'),
  next: load('next'),
  attacker: load('attacker'),
  ec: load('ec'),
} as const

export const idpEntityId = 'https://idp.example.com/metadata'
export const spEntityId = 'https://sp.example.com/saml'
export const acsUrl = 'https://sp.example.com/saml/acs'
export const requestId = '_req-4f1a'
/** The fixed "now" of every test: 2030-01-01T00:00:00Z. */
export const now = Date.parse('2030-01-01T00:00:00Z') / 1000

/** What a test Response says; every field defaults to a valid value. */
export interface ResponseFields {
  responseId?: string
  assertionId?: string
  issuer?: string
  assertionIssuer?: string
  destination?: string | null
  inResponseTo?: string | null
  status?: string
  nameId?: string
  recipient?: string
  audience?: string | null
  notBefore?: number
  notOnOrAfter?: number
  method?: string
  attributes?: Record<string, string[]>
  /** Raw XML placed after the Assertion (padding for the bench, second assertions). */
  after?: string
}

const iso = (t: number) => new Date(t * 1000).toISOString().replace('.000Z', 'Z')

/** The assertion element on its own (namespace declared on it). */
export function assertionXml(f: ResponseFields = {}): string {
  const id = f.assertionId ?? '_a-1'
  const nb = f.notBefore ?? now - 60
  const na = f.notOnOrAfter ?? now + 300
  const attrs = Object.entries(
    f.attributes ?? { groups: ['admins', 'devs'], email: ['alice@example.com'] },
  )
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`,
    )
    .join('')
  const audience =
    f.audience === null
      ? ''
      : `<saml:AudienceRestriction><saml:Audience>${f.audience ?? spEntityId}</saml:Audience></saml:AudienceRestriction>`
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now - 5)}">` +
    `<saml:Issuer>${f.assertionIssuer ?? f.issuer ?? idpEntityId}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${f.nameId ?? 'alice@example.com'}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="${f.method ?? 'urn:oasis:names:tc:SAML:2.0:cm:bearer'}"><saml:SubjectConfirmationData NotOnOrAfter="${iso(na)}" Recipient="${f.recipient ?? acsUrl}"${f.inResponseTo === null ? '' : ` InResponseTo="${f.inResponseTo ?? requestId}"`}/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(nb)}" NotOnOrAfter="${iso(na)}">${audience}</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now - 5)}" SessionIndex="_s-1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` +
    '</saml:Assertion>'
  )
}

/** A Response around `assertion` (an assertion XML string, signed or not). */
export function responseXml(f: ResponseFields = {}, assertion = assertionXml(f)): string {
  const destination = f.destination === null ? '' : ` Destination="${f.destination ?? acsUrl}"`
  const irt = f.inResponseTo === null ? '' : ` InResponseTo="${f.inResponseTo ?? requestId}"`
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${f.responseId ?? '_r-1'}" Version="2.0" IssueInstant="${iso(now - 5)}"${destination}${irt}>` +
    `<saml:Issuer>${f.issuer ?? idpEntityId}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${f.status ?? 'urn:oasis:names:tc:SAML:2.0:status:Success'}"/></samlp:Status>` +
    assertion +
    (f.after ?? '') +
    '</samlp:Response>'
  )
}

/** How a test signature is made. */
export interface SignOptions {
  by?: TestKey
  /** The certificate put in KeyInfo (default: the signer's; null: no KeyInfo). */
  keyInfo?: TestKey | null
  algorithm?: string
  digest?: string
  /** Where the Signature goes: after the Issuer (SAML messages) or first child (metadata). */
  at?: 'afterIssuer' | 'first'
}

/**
 * Signs the element with this ID the way IdPs do (enveloped, exclusive c14n, signature after
 * the Issuer), with xml-crypto.
 */
export function sign(xml: string, id: string, o: SignOptions = {}): string {
  const by = o.by ?? keys.current
  const shown = o.keyInfo === undefined ? by : o.keyInfo
  const signed = new SignedXml({
    privateKey: by.key,
    ...(shown === null ? {} : { publicCert: shown.pem }),
    signatureAlgorithm: (o.algorithm ??
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256') as 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  })
  Object.assign(signed.SignatureAlgorithms, extraSignatureAlgorithms)
  Object.assign(signed.HashAlgorithms, extraHashAlgorithms)
  signed.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: o.digest ?? 'http://www.w3.org/2001/04/xmlenc#sha256',
  })
  signed.computeSignature(xml, {
    prefix: 'ds',
    location:
      o.at === 'first'
        ? { reference: `//*[@ID='${id}']`, action: 'prepend' }
        : { reference: `//*[@ID='${id}']/*[local-name()='Issuer']`, action: 'after' },
  })
  return signed.getSignedXml()
}

/** A valid Response whose Assertion is signed by the current IdP key. */
export function signedResponse(f: ResponseFields = {}, o: SignOptions = {}): string {
  return responseXml(f, sign(assertionXml(f), f.assertionId ?? '_a-1', o))
}
