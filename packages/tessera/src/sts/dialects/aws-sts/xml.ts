// XML 1.0 §2.2 Char: tab, newline, carriage return and U+0020 upward, minus surrogate halves
// and U+FFFE/U+FFFF. Anything else cannot appear in a document even escaped, so it is replaced.
const notXmlChar = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu

/**
 * Escapes text for an XML element's content: the five predefined entities (XML 1.0 §4.6),
 * and characters XML cannot carry become U+FFFD. Every value rendered goes through here.
 */
export function escapeXml(text: string): string {
  return text
    .replace(notXmlChar, '\ufffd')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

/** One element of escaped text: `<name>text</name>`. Names are the dialect's own constants. */
export function element(name: string, text: string): string {
  return `<${name}>${escapeXml(text)}</${name}>`
}
