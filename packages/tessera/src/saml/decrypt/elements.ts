// Elements are matched by local name, as xml-encryption matches them: what Tessera checks
// must be what the library then reads, whatever prefixes or namespaces the IdP wrote.

const elementNode = 1

/** The element children of `node` with this local name, in document order. */
export function childElements(node: Node, localName: string): Element[] {
  const out: Element[] = []
  for (let n = node.firstChild; n !== null; n = n.nextSibling)
    if (n.nodeType === elementNode && (n as Element).localName === localName) out.push(n as Element)
  return out
}

/** Every element below `root` (not `root` itself) with this local name, in document order. */
export function descendantElements(root: Node, localName: string): Element[] {
  const out: Element[] = []
  const visit = (node: Node): void => {
    for (let n = node.firstChild; n !== null; n = n.nextSibling) {
      if (n.nodeType !== elementNode) continue
      if ((n as Element).localName === localName) out.push(n as Element)
      visit(n)
    }
  }
  visit(root)
  return out
}
