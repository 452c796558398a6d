import { createHash, type KeyLike, sign, verify } from 'node:crypto'

/** Signature methods accepted (SHA-1 only when an IdP entry allows it). */
export const signatureMethods: Readonly<Record<string, { sha1: boolean }>> = {
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512': { sha1: false },
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': { sha1: false },
  'http://www.w3.org/2000/09/xmldsig#rsa-sha1': { sha1: true },
}

/** Digest methods accepted (SHA-1 only when an IdP entry allows it). */
export const digestMethods: Readonly<Record<string, { sha1: boolean }>> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': { sha1: false },
  'http://www.w3.org/2001/04/xmldsig-more#sha384': { sha1: false },
  'http://www.w3.org/2001/04/xmlenc#sha512': { sha1: false },
  'http://www.w3.org/2000/09/xmldsig#sha1': { sha1: true },
}

/** Canonicalisation methods accepted for SignedInfo. */
export const canonicalizationMethods: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
])

/**
 * Reference transforms accepted: the SAML profile's (saml-core §5.4.4) enveloped signature and
 * canonicalisation. Nothing that selects part of the element (XPath, XSLT), so the signed
 * content is always the whole referenced element minus its signature.
 */
export const referenceTransforms: ReadonlySet<string> = new Set([
  'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  ...canonicalizationMethods,
])

type Callback<T> = (error: Error | null, value?: T) => void

// xml-crypto's SignatureAlgorithm shape, with the optional callback forms it declares.
/** An XML-DSig signature method on node:crypto, in the shape xml-crypto expects. */
export class NodeSignatureAlgorithm {
  readonly #uri: string
  readonly #hash: string
  readonly #ieeeP1363: boolean

  constructor(uri: string, hash: string, ieeeP1363: boolean) {
    this.#uri = uri
    this.#hash = hash
    this.#ieeeP1363 = ieeeP1363
  }

  getSignature(signedInfo: string | Buffer, privateKey: KeyLike, callback?: Callback<string>) {
    const key = this.#ieeeP1363
      ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const }
      : privateKey
    const value = sign(this.#hash, Buffer.from(signedInfo), key as KeyLike).toString('base64')
    if (callback) callback(null, value)
    return value
  }

  verifySignature(
    material: string,
    key: KeyLike,
    signatureValue: string,
    callback?: Callback<boolean>,
  ) {
    // XML-DSig 1.1 §6.4.3: an ECDSA SignatureValue is r ‖ s, each the size of the group order.
    const k = this.#ieeeP1363 ? { key, dsaEncoding: 'ieee-p1363' as const } : key
    let ok: boolean
    try {
      ok = verify(
        this.#hash,
        Buffer.from(material),
        k as KeyLike,
        Buffer.from(signatureValue, 'base64'),
      )
    } catch {
      ok = false
    }
    if (callback) callback(null, ok)
    return ok
  }

  getAlgorithmName() {
    return this.#uri
  }
}

/** An XML-DSig digest method on node:crypto, in the shape xml-crypto expects. */
export class NodeHash {
  readonly #uri: string
  readonly #hash: string

  constructor(uri: string, hash: string) {
    this.#uri = uri
    this.#hash = hash
  }

  getHash(xml: string): string {
    return createHash(this.#hash).update(xml, 'utf8').digest('base64')
  }

  getAlgorithmName() {
    return this.#uri
  }
}

function signatureClass(uri: string, hash: string, ieeeP1363: boolean) {
  return class extends NodeSignatureAlgorithm {
    constructor() {
      super(uri, hash, ieeeP1363)
    }
  }
}

function hashClass(uri: string, hash: string) {
  return class extends NodeHash {
    constructor() {
      super(uri, hash)
    }
  }
}

/** Signature algorithms xml-crypto lacks (ECDSA, RSA-SHA384), on node:crypto. */
export const extraSignatureAlgorithms: Readonly<Record<string, new () => NodeSignatureAlgorithm>> =
  {
    'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384': signatureClass(
      'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
      'sha384',
      false,
    ),
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': signatureClass(
      'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      'sha256',
      true,
    ),
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': signatureClass(
      'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
      'sha384',
      true,
    ),
    'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': signatureClass(
      'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
      'sha512',
      true,
    ),
  }

/** Digest algorithms xml-crypto lacks (SHA-384). */
export const extraHashAlgorithms: Readonly<Record<string, new () => NodeHash>> = {
  'http://www.w3.org/2001/04/xmldsig-more#sha384': hashClass(
    'http://www.w3.org/2001/04/xmldsig-more#sha384',
    'sha384',
  ),
}
