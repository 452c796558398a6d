import { quote, TesseraError } from '@tessera/verify'
import { DOMParser } from '@xmldom/xmldom'

/** Default cap on a SAML message, in bytes of XML (also bounds the base64 form). */
export const defaultMaxBytes = 256 * 1024

// Deepest element nesting accepted: real Responses are under 15 levels; the walk is recursive.
const maxDepth = 64

const nodeTypes = {
  element: 1,
  entityReference: 5,
  entity: 6,
  processingInstruction: 7,
  documentType: 10,
  notation: 12,
} as const

// POST binding (saml-bindings §3.5.4): base64 of the XML, often wrapped at 76 characters.
const base64Body = /^[A-Za-z0-9+/]*={0,2}$/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

// A DTD is how entity expansion ("billion laughs") and external entities (XXE) get in; SAML
// never needs one, nor processing instructions. Refused on the raw text, before any parser runs.
const forbiddenMarkup = /<!DOCTYPE|<!ENTITY|<\?(?!xml[\s?])/i

function malformed(message: string, cause?: unknown): TesseraError {
  return new TesseraError({
    code: 'malformed',
    check: 'decode',
    message,
    ...(cause === undefined ? {} : { cause }),
  })
}

function tooLarge(actual: number, maxBytes: number): TesseraError {
  return new TesseraError({
    code: 'too_large',
    check: 'decode',
    message: `the SAML message is ${actual} bytes, more than the limit of ${maxBytes}`,
    expected: `at most ${maxBytes} bytes`,
    actual: `${actual} bytes`,
  })
}

/**
 * Turns a SAMLResponse as received (base64 of the POST binding, or the XML itself) into XML
 * text, checking the size before decoding. Base64 must use the standard alphabet with correct
 * padding; line breaks and spaces are allowed. A leading byte-order mark is dropped.
 */
export function decodeSamlInput(input: string, maxBytes: number = defaultMaxBytes): string {
  // Base64 is 4/3 of the XML plus line breaks: anything beyond twice the cap is refused unread.
  if (input.length > maxBytes * 2) throw tooLarge(input.length, maxBytes)
  const trimmed = input.replace(/^\uFEFF/, '').trimStart()
  if (trimmed.startsWith('<')) {
    const bytes = Buffer.byteLength(trimmed)
    if (bytes > maxBytes) throw tooLarge(bytes, maxBytes)
    return trimmed
  }
  const body = input.replace(/[\r\n\t ]+/g, '')
  if (body.length === 0) throw malformed('the SAML message is empty')
  if (body.length % 4 !== 0 || !base64Body.test(body)) {
    throw malformed(
      `the SAML message is neither XML nor base64 (POST binding): ${quote(body.slice(0, 24))}…`,
    )
  }
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0
  const decodedLength = (body.length / 4) * 3 - padding
  if (decodedLength > maxBytes) throw tooLarge(decodedLength, maxBytes)
  let xml: string
  try {
    xml = strictUtf8.decode(Buffer.from(body, 'base64'))
  } catch (cause) {
    throw malformed('the base64 SAML message does not decode to UTF-8 text', cause)
  }
  xml = xml.replace(/^\uFEFF/, '')
  if (!xml.trimStart().startsWith('<')) throw malformed('the base64 SAML message is not XML')
  return xml
}

/**
 * Parses XML with every parser warning and error turned into `malformed`, refusing DTDs,
 * entities and processing instructions before and after parsing (only the XML declaration is
 * allowed). The caller has already bounded the size.
 */
export function parseXml(xml: string, what = 'SAML message'): Document {
  if (forbiddenMarkup.test(xml)) {
    throw malformed(`the ${what} contains a DOCTYPE, ENTITY or processing instruction`)
  }
  const fail = (message: string): never => {
    throw malformed(`the ${what} is not well-formed XML: ${quote(firstLine(message))}`)
  }
  let doc: Document
  try {
    doc = new DOMParser({
      errorHandler: { warning: fail, error: fail, fatalError: fail },
    }).parseFromString(xml, 'text/xml')
  } catch (cause) {
    if (cause instanceof TesseraError) throw cause
    throw malformed(`the ${what} is not well-formed XML`, cause)
  }
  if (doc.documentElement == null) throw malformed(`the ${what} has no root element`)
  rejectMarkup(doc, what)
  return doc
}

function firstLine(message: string): string {
  return message.replace(/^\[xmldom [a-zA-Z]+\]\s*/, '').split('\n')[0] ?? ''
}

function rejectMarkup(doc: Document, what: string): void {
  let index = 0
  for (let n = doc.firstChild; n !== null; n = n.nextSibling, index++) {
    const isDeclaration =
      n.nodeType === nodeTypes.processingInstruction && index === 0 && n.nodeName === 'xml'
    if (!isDeclaration) rejectNode(n, what)
  }
  walk(doc.documentElement, 0, what)
}

function rejectNode(n: Node, what: string): void {
  switch (n.nodeType) {
    case nodeTypes.documentType:
    case nodeTypes.entity:
    case nodeTypes.entityReference:
    case nodeTypes.notation:
    case nodeTypes.processingInstruction:
      throw malformed(`the ${what} contains a DTD, entity or processing instruction`)
  }
}

function walk(element: Element, depth: number, what: string): void {
  if (depth > maxDepth) throw malformed(`the ${what} nests elements deeper than ${maxDepth}`)
  for (let n = element.firstChild; n !== null; n = n.nextSibling) {
    rejectNode(n, what)
    if (n.nodeType === nodeTypes.element) walk(n as Element, depth + 1, what)
  }
}
