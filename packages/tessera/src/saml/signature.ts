import { type KeyObject, X509Certificate } from 'node:crypto'
import { quote, quoteList, TesseraError } from '@tessera/verify'
import { SignedXml } from 'xml-crypto'
import {
  canonicalizationMethods,
  digestMethods,
  extraHashAlgorithms,
  extraSignatureAlgorithms,
  referenceTransforms,
  signatureMethods,
} from './algorithms.ts'
import { describeCertificate, predecessorOf } from './certificates.ts'
import { attribute, childElement, childElements, type DocumentIndex, ns, textOf } from './dom.ts'
import type { SamlIdp } from './types.ts'

/** A signature that verified with one of the IdP's configured certificates. */
export interface VerifiedSignature {
  /** The element the signature's one Reference points at (its parent: enveloped). */
  readonly element: Element
  readonly signer: X509Certificate
}

const publicKeys = new WeakMap<X509Certificate, KeyObject>()

function publicKeyOf(cert: X509Certificate): KeyObject {
  let key = publicKeys.get(cert)
  if (key === undefined) {
    key = cert.publicKey
    publicKeys.set(cert, key)
  }
  return key
}

function fail(
  code: 'malformed' | 'bad_signature' | 'alg_not_allowed',
  message: string,
  extra = {},
) {
  return new TesseraError({ code, check: 'signature', message, ...extra })
}

/**
 * Verifies one enveloped XML-DSig signature of a Response or Assertion with the IdP's
 * configured certificates only, and returns the element it covers. The profile is strict
 * (saml-core §5.4): one SignedInfo, one Reference whose URI is `#` + the parent's ID, that ID
 * carried by exactly one element in the whole document, only enveloped-signature and c14n
 * transforms. KeyInfo only selects among the configured certificates; a certificate embedded
 * in the message is used solely to describe an untrusted signer.
 */
export function verifyEnvelopedSignature(
  xml: string,
  signature: Element,
  index: DocumentIndex,
  idp: SamlIdp,
): VerifiedSignature {
  const target = signature.parentNode as Element
  const what = target.localName
  const signedInfos = childElements(signature, ns.dsig, 'SignedInfo')
  if (signedInfos.length !== 1) {
    throw fail(
      'malformed',
      `the ${what} signature has ${signedInfos.length} SignedInfo elements, expected exactly 1`,
    )
  }
  const signedInfo = signedInfos[0] as Element
  const c14n = attribute(
    childElement(signedInfo, ns.dsig, 'CanonicalizationMethod') ?? signature,
    'Algorithm',
  )
  if (c14n === undefined || !canonicalizationMethods.has(c14n)) {
    throw fail(
      'alg_not_allowed',
      `the ${what} signature's CanonicalizationMethod ${quote(c14n ?? 'missing')} is not allowed`,
    )
  }
  const method = attribute(
    childElement(signedInfo, ns.dsig, 'SignatureMethod') ?? signature,
    'Algorithm',
  )
  checkAlgorithm(what, 'SignatureMethod', method, signatureMethods, idp)
  const references = childElements(signedInfo, ns.dsig, 'Reference')
  if (references.length !== 1) {
    throw fail(
      'malformed',
      `the ${what} signature has ${references.length} References, expected exactly 1 (saml-core §5.4.2)`,
    )
  }
  const reference = references[0] as Element
  const id = attribute(target, 'ID')
  const uri = attribute(reference, 'URI')
  if (id === undefined || uri !== `#${id}`) {
    throw fail(
      'malformed',
      `the ${what} signature references ${quote(uri ?? 'nothing')}, expected ${quote(`#${id ?? '(no ID)'}`)}: a signature must cover the element it sits in`,
      {
        expected: `#${id ?? ''}`,
        actual: uri ?? 'missing',
      },
    )
  }
  const holders = index.ids.get(id) ?? []
  if (holders.length !== 1) {
    throw fail(
      'malformed',
      `ID ${quote(id)} appears on ${holders.length} elements, expected exactly 1: duplicate IDs are how signature wrapping works`,
    )
  }
  const transforms = childElement(reference, ns.dsig, 'Transforms')
  for (const t of transforms ? childElements(transforms, ns.dsig, 'Transform') : []) {
    const alg = attribute(t, 'Algorithm')
    if (alg === undefined || !referenceTransforms.has(alg)) {
      throw fail(
        'alg_not_allowed',
        `the ${what} signature's Transform ${quote(alg ?? 'missing')} is not allowed (only enveloped-signature and canonicalisation)`,
      )
    }
  }
  const digest = attribute(
    childElement(reference, ns.dsig, 'DigestMethod') ?? reference,
    'Algorithm',
  )
  checkAlgorithm(what, 'DigestMethod', digest, digestMethods, idp)

  const embedded = embeddedCertificates(signature)
  const configured = idp.signingCertificates
  const selected = embedded
    .map((e) => configured.find((c) => c.fingerprint256 === e.fingerprint256))
    .filter((c): c is X509Certificate => c !== undefined)
  const candidates = selected.length > 0 ? selected : configured
  for (const cert of candidates) {
    const outcome = check(xml, signature, publicKeyOf(cert))
    if (outcome === 'valid') return { element: target, signer: cert }
    if (outcome === 'digest') {
      throw fail(
        'bad_signature',
        `the ${what}'s digest does not match its content: the signed ${what} was modified after signing`,
      )
    }
  }
  // Diagnosis only: an embedded certificate that verifies names the signer; it is never trusted.
  const signer =
    selected.length > 0
      ? undefined
      : embedded.find((e) => check(xml, signature, publicKeyOf(e)) === 'valid')
  if (signer !== undefined) throw untrusted(what, signer, idp)
  return throwBadSignature(what, configured, embedded.length > 0 && selected.length > 0)
}

function throwBadSignature(
  what: string,
  configured: readonly X509Certificate[],
  keyInfoMatched: boolean,
): never {
  throw new TesseraError({
    code: 'bad_signature',
    check: 'signature',
    message: `the ${what} signature does not verify with ${keyInfoMatched ? 'the configured certificate its KeyInfo names' : `any of the IdP's ${configured.length} configured certificates`}: ${quoteList(configured.map(describeCertificate))}`,
    expected: configured.map((c) => c.fingerprint256),
  })
}

function untrusted(what: string, signer: X509Certificate, idp: SamlIdp): TesseraError {
  const previous = predecessorOf(signer, idp.signingCertificates)
  const rotation = previous
    ? `; it has the same subject and issuer as configured certificate ${previous.fingerprint256} and a later notBefore: it looks like the IdP's next certificate (a rotation the metadata has not caught up with) — refresh the IdP metadata`
    : ''
  return new TesseraError({
    code: 'untrusted_key',
    check: 'signature',
    message: `the ${what} was signed by certificate ${describeCertificate(signer)}, which is not among the ${idp.signingCertificates.length} certificates configured for ${quote(idp.entityId)}: ${idp.signingCertificates.map(describeCertificate).join('; ')}${rotation}`,
    expected: idp.signingCertificates.map((c) => c.fingerprint256),
    actual: signer.fingerprint256,
  })
}

function checkAlgorithm(
  what: string,
  role: string,
  uri: string | undefined,
  table: Readonly<Record<string, { sha1: boolean }>>,
  idp: SamlIdp,
): void {
  const entry = uri === undefined ? undefined : table[uri]
  if (entry === undefined) {
    throw fail(
      'alg_not_allowed',
      `the ${what} signature's ${role} ${quote(uri ?? 'missing')} is not allowed; expected one of ${quoteList(Object.keys(table).filter((k) => !table[k]?.sha1))}`,
      {
        expected: Object.keys(table),
        actual: uri ?? 'missing',
      },
    )
  }
  if (entry.sha1 && idp.allowSha1 !== true) {
    throw fail(
      'alg_not_allowed',
      `the ${what} signature's ${role} ${quote(uri)} uses SHA-1, which is refused by default; set allowSha1: true on the IdP entry for ${quote(idp.entityId)} only if this IdP cannot sign with SHA-256`,
      {
        expected: Object.keys(table).filter((k) => !table[k]?.sha1),
        actual: uri as string,
      },
    )
  }
}

function embeddedCertificates(signature: Element): X509Certificate[] {
  const keyInfo = childElement(signature, ns.dsig, 'KeyInfo')
  if (keyInfo === undefined) return []
  const certs: X509Certificate[] = []
  for (const data of childElements(keyInfo, ns.dsig, 'X509Data')) {
    for (const c of childElements(data, ns.dsig, 'X509Certificate')) {
      try {
        certs.push(new X509Certificate(Buffer.from(textOf(c).replace(/\s+/g, ''), 'base64')))
      } catch {
        // An unreadable embedded certificate selects nothing; the configured ones are tried.
      }
    }
  }
  return certs
}

type Outcome = 'valid' | 'digest' | 'key'

function check(xml: string, signature: Element, key: KeyObject): Outcome {
  const signed = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null })
  Object.assign(signed.SignatureAlgorithms, extraSignatureAlgorithms)
  Object.assign(signed.HashAlgorithms, extraHashAlgorithms)
  try {
    signed.loadSignature(signature)
    // false: a Reference's digest does not match (content changed); throws on a wrong key.
    if (!signed.checkSignature(xml)) return 'digest'
  } catch {
    return 'key'
  }
  // Exactly the one Reference checked above was verified.
  return signed.getSignedReferences().length === 1 ? 'valid' : 'digest'
}
