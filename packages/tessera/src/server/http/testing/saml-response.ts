// Builds SAML 2.0 Responses signed by the test IdP (saml-idp/), for the exchange, AWS STS and
// doctor tests. Signing is xml-crypto's SignedXml: exclusive C14N, RSA-SHA256, SHA-256 digest,
// the signature placed after the Assertion's Issuer as SAML core §5.4.1 requires.
import { randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SignedXml } from 'xml-crypto'

const here = new URL('./saml-idp/', import.meta.url)

/** The test IdP's key material and metadata, read once. */
export const testIdp = Object.freeze({
  entityId: 'https://idp.example.com/saml',
  key: readFileSync(new URL('idp-key.pem', here), 'utf8'),
  cert: readFileSync(new URL('idp-cert.pem', here), 'utf8'),
  attackerKey: readFileSync(new URL('attacker-key.pem', here), 'utf8'),
  attackerCert: readFileSync(new URL('attacker-cert.pem', here), 'utf8'),
  metadataPath: new URL('idp-metadata.xml', here).pathname,
  metadata: readFileSync(new URL('idp-metadata.xml', here), 'utf8'),
})

/** What goes into a test Response; everything has a default valid for `now`. */
export interface SamlResponseOptions {
  /** Epoch seconds the Response is issued at. */
  readonly now: number
  readonly issuer?: string
  readonly destination?: string
  readonly recipient?: string
  readonly audience?: string
  readonly nameId?: string
  readonly nameIdFormat?: string
  /** Attribute name → values. */
  readonly attributes?: Readonly<Record<string, readonly string[]>>
  readonly assertionId?: string
  /** Seconds the assertion lives (default 300). */
  readonly lifetimeSeconds?: number
  readonly inResponseTo?: string
  readonly statusCode?: string
  /** PEM private key that signs (default: the test IdP's). */
  readonly signingKey?: string
  /** False leaves the assertion unsigned. */
  readonly sign?: boolean
}

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString()

/** A Response XML with one Assertion, signed (assertion signature) unless `sign` is false. */
export function samlResponseXml(options: SamlResponseOptions): string {
  const issuer = xmlEscape(options.issuer ?? testIdp.entityId)
  const destination = xmlEscape(options.destination ?? 'https://tessera.test/saml/acs')
  const recipient = xmlEscape(
    options.recipient ?? options.destination ?? 'https://tessera.test/saml/acs',
  )
  const audience = xmlEscape(options.audience ?? 'https://tessera.test')
  const id = options.assertionId ?? `_a${randomUUID()}`
  const now = options.now
  const until = now + (options.lifetimeSeconds ?? 300)
  const inResponseTo =
    options.inResponseTo === undefined ? '' : ` InResponseTo="${xmlEscape(options.inResponseTo)}"`
  const attributes = Object.entries(options.attributes ?? {})
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}">${values
          .map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    )
    .join('')
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    '<saml:Subject>' +
    `<saml:NameID Format="${xmlEscape(options.nameIdFormat ?? 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent')}">${xmlEscape(options.nameId ?? 'alice@example.com')}</saml:NameID>` +
    '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">' +
    `<saml:SubjectConfirmationData NotOnOrAfter="${iso(until)}" Recipient="${recipient}"${inResponseTo}/>` +
    '</saml:SubjectConfirmation></saml:Subject>' +
    `<saml:Conditions NotBefore="${iso(now - 5)}" NotOnOrAfter="${iso(until)}">` +
    `<saml:AudienceRestriction><saml:Audience>${audience}</saml:Audience></saml:AudienceRestriction>` +
    '</saml:Conditions>' +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${id}_s">` +
    '<saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>' +
    '</saml:AuthnStatement>' +
    (attributes === '' ? '' : `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`) +
    '</saml:Assertion>'
  const signed =
    options.sign === false
      ? assertion
      : signAssertion(assertion, id, options.signingKey ?? testIdp.key)
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${iso(now)}" Destination="${destination}"${inResponseTo}>` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="${xmlEscape(options.statusCode ?? 'urn:oasis:names:tc:SAML:2.0:status:Success')}"/></samlp:Status>` +
    signed +
    '</samlp:Response>'
  )
}

/** The same Response, base64 as the POST binding (and `SAMLAssertion`) carries it. */
export function samlResponse(options: SamlResponseOptions): string {
  return Buffer.from(samlResponseXml(options), 'utf8').toString('base64')
}

function signAssertion(xml: string, id: string, key: string): string {
  const signer = new SignedXml({
    privateKey: key,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  })
  signer.addReference({
    xpath: `//*[@ID='${id}']`,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
  })
  signer.computeSignature(xml, {
    location: { reference: `//*[local-name()='Issuer']`, action: 'after' },
  })
  return signer.getSignedXml()
}
