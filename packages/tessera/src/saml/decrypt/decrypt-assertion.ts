import { type KeyObject, X509Certificate } from 'node:crypto'
import { quote, TesseraError } from '@tessera/verify'
import { XMLSerializer } from '@xmldom/xmldom'
import xmlenc from 'xml-encryption'
import { checkContentAlgorithm, checkKeyTransport } from './algorithms.ts'
import { checkPlaintext } from './check-plaintext.ts'
import { childElements, descendantElements } from './elements.ts'
import { keyLabel, publicKeyFingerprint } from './key-label.ts'

/** Largest serialised EncryptedAssertion accepted (bytes of UTF-16 text), by default 256 KiB. */
export const maxEncryptedAssertionBytes = 256 * 1024

/** Options of `decryptAssertion`. */
export interface DecryptAssertionOptions {
  /** Accept AES-CBC content encryption (the IdP entry's `allowCbc`); AES-GCM is always accepted. */
  readonly allowCbc: boolean
  /** Size cap on the serialised EncryptedAssertion; default `maxEncryptedAssertionBytes`. */
  readonly maxBytes?: number
}

/**
 * Decrypts a SAML `EncryptedAssertion` with the SP's RSA private key and returns the Assertion
 * XML, which the caller must then validate like any other (signature included).
 *
 * The algorithms are checked before the library runs: RSA-OAEP key transport
 * (`rsa-oaep-mgf1p`, `xmlenc11#rsa-oaep`), AES-GCM content encryption, AES-CBC only with
 * `allowCbc`, RSA 1.5 and 3DES never. The plaintext must be exactly one `saml:Assertion`
 * without DOCTYPE. Synchronous: xml-encryption calls back before it returns.
 *
 * @throws TesseraError `alg_not_allowed`, `decryption_failed` (wrong key, altered ciphertext),
 * `malformed`, `multiple_assertions` or `too_large`.
 */
export function decryptAssertion(
  encrypted: Element,
  key: KeyObject,
  options: DecryptAssertionOptions,
): string {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new TesseraError({
      code: 'decryption_failed',
      check: 'decryption',
      message: `RSA-OAEP key transport needs an RSA private key; the configured SP key is a ${key.type} ${key.asymmetricKeyType ?? 'symmetric'} key`,
      expected: 'private rsa',
      actual: `${key.type} ${key.asymmetricKeyType ?? 'symmetric'}`,
    })
  }
  if (encrypted.localName !== 'EncryptedAssertion') {
    throw malformed(`expected an EncryptedAssertion element, got ${quote(encrypted.localName)}`)
  }
  const maxBytes = options.maxBytes ?? maxEncryptedAssertionBytes
  const size = new XMLSerializer().serializeToString(encrypted).length
  if (size > maxBytes) {
    throw new TesseraError({
      code: 'too_large',
      check: 'decryption',
      message: `the EncryptedAssertion is ${size} bytes, more than the limit of ${maxBytes}`,
      expected: `at most ${maxBytes} bytes`,
      actual: `${size} bytes`,
    })
  }
  const label = keyLabel(key)
  const encryptedKey = checkStructure(encrypted, options.allowCbc)

  let result: string | undefined
  let failure: unknown
  let called = false
  xmlenc.decrypt(
    encrypted,
    {
      key: pemOf(key),
      // Our own allow-list ran above; the library's flag stays as a second line of defence.
      disallowDecryptionWithInsecureAlgorithm: !options.allowCbc,
      // The refusal is ours to explain; the library would print to stderr.
      warnInsecureAlgorithm: false,
    },
    (error, plaintext) => {
      called = true
      failure = error
      result = plaintext
    },
  )
  if (!called) throw new Error('xml-encryption did not call back synchronously')
  if (failure !== null && failure !== undefined)
    throw decryptionFailed(failure, encryptedKey, key, label)
  checkPlaintext(result ?? '', label)
  return result as string
}

// Checks the elements xml-encryption will read and returns the EncryptedKey it will use. The
// library takes the first match in document order, so every candidate is checked: whichever
// it picks, its algorithms are allowed.
function checkStructure(encrypted: Element, allowCbc: boolean): Element {
  const data = descendantElements(encrypted, 'EncryptedData')
  const direct = childElements(encrypted, 'EncryptedData')
  if (data.length !== 1 || direct.length !== 1) {
    throw malformed(
      `an EncryptedAssertion holds exactly one EncryptedData as a child; found ${data.length}`,
    )
  }
  const encryptedData = direct[0] as Element
  const method = single(encryptedData, 'EncryptionMethod', 'EncryptedData')
  checkContentAlgorithm(method.getAttribute('Algorithm') ?? '', allowCbc)
  single(single(encryptedData, 'CipherData', 'EncryptedData'), 'CipherValue', 'CipherData')

  const keys = descendantElements(encrypted, 'EncryptedKey')
  if (keys.length === 0) {
    throw malformed(
      'the EncryptedAssertion carries no EncryptedKey: the content key cannot be recovered',
    )
  }
  for (const k of keys) {
    const keyMethod = single(k, 'EncryptionMethod', 'EncryptedKey')
    checkKeyTransport(
      keyMethod.getAttribute('Algorithm') ?? '',
      childElements(keyMethod, 'DigestMethod')[0]?.getAttribute('Algorithm') ?? undefined,
      childElements(keyMethod, 'MGF')[0]?.getAttribute('Algorithm') ?? undefined,
    )
    single(single(k, 'CipherData', 'EncryptedKey'), 'CipherValue', 'CipherData')
  }
  return selectedKey(encryptedData, keys)
}

// The EncryptedKey xml-encryption 6.0.1 picks: the first one inside a KeyInfo, else the one a
// RetrievalMethod in EncryptedData/KeyInfo names by Id (SAML puts it beside EncryptedData).
function selectedKey(encryptedData: Element, keys: Element[]): Element {
  const inKeyInfo = keys.find((k) => (k.parentNode as Element | null)?.localName === 'KeyInfo')
  if (inKeyInfo !== undefined) return inKeyInfo
  const retrieval = childElements(encryptedData, 'KeyInfo').flatMap((i) =>
    childElements(i, 'RetrievalMethod'),
  )[0]
  const uri = retrieval?.getAttribute('URI') ?? ''
  const named = uri.startsWith('#') ? keys.filter((k) => k.getAttribute('Id') === uri.slice(1)) : []
  if (named.length !== 1) {
    throw malformed(
      `no EncryptedKey is reachable: put it in EncryptedData/KeyInfo, or point EncryptedData/KeyInfo/RetrievalMethod at exactly one EncryptedKey by Id (URI ${quote(uri)}, ${named.length} found)`,
    )
  }
  return named[0] as Element
}

// xml-encryption's JavaScript OAEP path (digest ≠ MGF1 digest) calls createPrivateKey on the
// key, which refuses a KeyObject; PEM works on both of its paths. Kept per key object so a
// busy exchange does not export the key on every assertion.
const pemCache = new WeakMap<KeyObject, string>()
function pemOf(key: KeyObject): string {
  let pem = pemCache.get(key)
  if (pem === undefined) {
    pem = key.export({ type: 'pkcs8', format: 'pem' }) as string
    pemCache.set(key, pem)
  }
  return pem
}

function single(parent: Element, localName: string, parentName: string): Element {
  const found = childElements(parent, localName)
  if (found.length !== 1) {
    throw malformed(`${parentName} must hold exactly one ${localName}; found ${found.length}`)
  }
  return found[0] as Element
}

function decryptionFailed(
  cause: unknown,
  encryptedKey: Element,
  key: KeyObject,
  label: string,
): TesseraError {
  const text = cause instanceof Error ? cause.message : String(cause)
  const recipient = recipientCertificate(encryptedKey)
  let reason: string
  if (
    recipient !== undefined &&
    publicKeyFingerprint(recipient.publicKey) !== publicKeyFingerprint(key)
  ) {
    reason = `it was encrypted to the certificate ${quote(recipient.subject)} (SHA-256 ${recipient.fingerprint256}), whose public key is not the SP key's: give the IdP the SP's current encryption certificate`
  } else if (/authenticate/i.test(text)) {
    reason = 'the AES-GCM authentication tag does not match: the ciphertext was altered'
  } else {
    reason =
      'the content key could not be recovered: the assertion was encrypted for another key, or the ciphertext was altered'
  }
  return new TesseraError({
    code: 'decryption_failed',
    check: 'decryption',
    message: `the EncryptedAssertion could not be decrypted with ${label}: ${reason}`,
    cause,
  })
}

// The certificate the IdP says it encrypted to (EncryptedKey/KeyInfo/X509Data), when present
// and parseable: used only to explain a failure, never to choose a key.
function recipientCertificate(encryptedKey: Element): X509Certificate | undefined {
  const value = childElements(encryptedKey, 'KeyInfo')
    .flatMap((i) => childElements(i, 'X509Data'))
    .flatMap((d) => childElements(d, 'X509Certificate'))[0]?.textContent
  if (value === undefined || value === null) return undefined
  try {
    return new X509Certificate(Buffer.from(value.replace(/\s+/g, ''), 'base64'))
  } catch {
    return undefined
  }
}

function malformed(message: string): TesseraError {
  return new TesseraError({ code: 'malformed', check: 'decryption', message })
}
