import { quote, TesseraError } from '@tessera/verify'
import { DOMParser } from '@xmldom/xmldom'
import { descendantElements } from './elements.ts'

/** The SAML 2.0 assertion namespace (SAML core §2.1). */
export const assertionNamespace = 'urn:oasis:names:tc:SAML:2.0:assertion'

const nodeTypes = { element: 1, text: 3, pi: 7, comment: 8, doctype: 10 } as const

/**
 * Checks that decrypted bytes are one SAML Assertion and nothing else: well-formed XML whose
 * root is `saml:Assertion`, no DOCTYPE (so no entities), no processing instruction but the XML
 * declaration, no second Assertion or EncryptedAssertion inside. Plaintext that is not XML
 * means the ciphertext was tampered with (CBC has no integrity) → `decryption_failed`.
 */
export function checkPlaintext(plaintext: string, keyLabel: string): void {
  // Refused before parsing: xmldom keeps a DOCTYPE and its internal subset.
  if (/<!DOCTYPE|<!ENTITY/i.test(plaintext)) {
    throw malformed('the decrypted assertion contains a DOCTYPE or entity declaration')
  }
  const problems: string[] = []
  const record = (message: string): void => {
    problems.push(message.replace(/^\[xmldom \w+\]\s*/, '').split('\n')[0] ?? '')
  }
  const doc = new DOMParser({
    errorHandler: { warning: record, error: record, fatalError: record },
  }).parseFromString(plaintext, 'text/xml')
  const root = doc?.documentElement
  if (problems.length > 0 || root === null || root === undefined) {
    throw new TesseraError({
      code: 'decryption_failed',
      check: 'decryption',
      message: `the decrypted bytes are not well-formed XML (${problems[0] ?? 'no root element'}): the ciphertext was altered, or it was not encrypted for ${keyLabel}`,
    })
  }
  for (let n = doc.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === nodeTypes.element || n.nodeType === nodeTypes.comment) continue
    if (n.nodeType === nodeTypes.pi && n.nodeName === 'xml') continue
    if (n.nodeType === nodeTypes.text && (n.nodeValue ?? '').trim() === '') continue
    throw malformed(`the decrypted assertion has content outside its root element (${n.nodeName})`)
  }
  if (root.localName !== 'Assertion' || root.namespaceURI !== assertionNamespace) {
    throw new TesseraError({
      code: 'malformed',
      check: 'decryption',
      message: `the decrypted element is ${quote(root.localName)} in namespace ${quote(root.namespaceURI ?? '')}, expected a SAML 2.0 Assertion`,
      expected: `{${assertionNamespace}}Assertion`,
      actual: `{${root.namespaceURI ?? ''}}${root.localName}`,
    })
  }
  const nested = [
    ...descendantElements(root, 'Assertion'),
    ...descendantElements(root, 'EncryptedAssertion'),
  ].length
  if (nested > 0) {
    throw new TesseraError({
      code: 'multiple_assertions',
      check: 'decryption',
      message: `the decrypted Assertion holds ${nested} more Assertion or EncryptedAssertion element${nested === 1 ? '' : 's'}; exactly one is accepted`,
      expected: '1',
      actual: String(nested + 1),
    })
  }
  if (containsInstruction(root)) {
    throw malformed('the decrypted assertion contains a processing instruction')
  }
}

function containsInstruction(node: Node): boolean {
  for (let n = node.firstChild; n !== null; n = n.nextSibling)
    if (n.nodeType === nodeTypes.pi || containsInstruction(n)) return true
  return false
}

function malformed(message: string): TesseraError {
  return new TesseraError({ code: 'malformed', check: 'decryption', message })
}
