/** XML namespaces SAML 2.0 and XML-DSig use. */
export const ns = {
  protocol: 'urn:oasis:names:tc:SAML:2.0:protocol',
  assertion: 'urn:oasis:names:tc:SAML:2.0:assertion',
  metadata: 'urn:oasis:names:tc:SAML:2.0:metadata',
  dsig: 'http://www.w3.org/2000/09/xmldsig#',
} as const

const elementNode = 1
const textNode = 3
const cdataNode = 4

// xml-crypto resolves a Reference URI against any attribute with one of these local names
// (SignedXml.idAttributes); uniqueness is checked over the same set so both sides agree.
const idAttributeNames = new Set(['ID', 'Id', 'id'])

/** True when `node` is an element with this namespace and local name. */
export function isElement(node: Node | null, namespace: string, localName: string): boolean {
  return (
    node !== null &&
    node.nodeType === elementNode &&
    (node as Element).localName === localName &&
    (node as Element).namespaceURI === namespace
  )
}

/** The element children of `parent` with this namespace and local name, in document order. */
export function childElements(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = []
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n, namespace, localName)) found.push(n as Element)
  }
  return found
}

/** The first element child with this namespace and local name. */
export function childElement(
  parent: Element,
  namespace: string,
  localName: string,
): Element | undefined {
  for (let n = parent.firstChild; n !== null; n = n.nextSibling) {
    if (isElement(n, namespace, localName)) return n as Element
  }
  return undefined
}

/**
 * The text of an element: all descendant text and CDATA joined, comments skipped, so
 * `admin<!---->.evil` reads `admin.evil` (the comment-truncation attack reads `admin`).
 * Exclusive canonicalisation drops comments from signed content, so this is the signed text.
 */
export function textOf(element: Element): string {
  let text = ''
  for (let n = element.firstChild; n !== null; n = n.nextSibling) {
    if (n.nodeType === textNode || n.nodeType === cdataNode) text += (n as CharacterData).data
    else if (n.nodeType === elementNode) text += textOf(n as Element)
  }
  return text
}

/** An attribute's value, or undefined when absent (xmldom returns '' for absent attributes). */
export function attribute(element: Element, name: string): string | undefined {
  return element.hasAttribute(name) ? (element.getAttribute(name) ?? undefined) : undefined
}

/** What the validator needs to know about a whole document, from one walk. */
export interface DocumentIndex {
  /** Every element carrying each ID value (ID, Id or id attribute); one entry per attribute. */
  readonly ids: ReadonlyMap<string, readonly Element[]>
  /** Every saml:Assertion and saml:EncryptedAssertion outside an Advice element. */
  readonly assertions: readonly Element[]
  /** Every ds:Signature outside an Advice element. */
  readonly signatures: readonly Element[]
}

/** Walks the document once, collecting IDs, assertions and signatures. */
export function indexDocument(root: Element): DocumentIndex {
  const ids = new Map<string, Element[]>()
  const assertions: Element[] = []
  const signatures: Element[] = []
  const visit = (element: Element, inAdvice: boolean): void => {
    const attrs = element.attributes
    for (let i = 0; i < attrs.length; i++) {
      const a = attrs.item(i)
      if (a !== null && idAttributeNames.has(a.localName ?? a.name)) {
        const list = ids.get(a.value)
        if (list === undefined) ids.set(a.value, [element])
        else list.push(element)
      }
    }
    const local = element.localName
    const space = element.namespaceURI
    if (!inAdvice) {
      if (space === ns.assertion && (local === 'Assertion' || local === 'EncryptedAssertion')) {
        assertions.push(element)
      } else if (space === ns.dsig && local === 'Signature') signatures.push(element)
    }
    // SAML core §2.6.1: Advice may carry other (signed) assertions; they are evidence, never the
    // subject assertion, and their signatures are covered by the enclosing one.
    const childInAdvice = inAdvice || (space === ns.assertion && local === 'Advice')
    for (let n = element.firstChild; n !== null; n = n.nextSibling) {
      if (n.nodeType === elementNode) visit(n as Element, childInAdvice)
    }
  }
  visit(root, false)
  return { ids, assertions, signatures }
}
