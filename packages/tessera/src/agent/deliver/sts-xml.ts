// STS answers have one fixed shape (sdk-wire-facts.md §1), so a bounded scan for a handful of
// elements is enough: no XML library, no DTD, no entity expansion beyond the five predefined
// entities and character references.

/** What an AssumeRoleWithWebIdentity answer says, success or error. */
export type StsAnswer =
  | {
      readonly kind: 'credentials'
      readonly accessKeyId: string
      readonly secretAccessKey: string
      readonly sessionToken?: string
      readonly expiration?: string
    }
  | { readonly kind: 'error'; readonly code: string; readonly message: string }
  | { readonly kind: 'unreadable'; readonly reason: string }

const predefined: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
}

/** Decodes XML text content: the predefined entities and numeric character references. */
export function decodeXmlText(text: string): string | undefined {
  let bad = false
  const decoded = text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,8});?/g, (all, ref) => {
    if (!all.endsWith(';')) {
      bad = true
      return ''
    }
    const name = ref as string
    if (name.startsWith('#')) {
      const point = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1))
      if (point > 0x10ffff) {
        bad = true
        return ''
      }
      return String.fromCodePoint(point)
    }
    const value = predefined[name]
    if (value === undefined) bad = true
    return value ?? ''
  })
  // A bare `&` (no entity) is not well-formed XML.
  const stray = /&(?!(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]{1,8});)/.test(text)
  return bad || stray ? undefined : decoded
}

// The text of the first <name>…</name> (optionally namespace-prefixed) inside `xml`.
function element(xml: string, name: string): string | undefined {
  const match = new RegExp(
    `<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_]+:)?${name}>`,
  ).exec(xml)
  if (match === null) return undefined
  return decodeXmlText(match[1] as string)
}

function section(xml: string, name: string): string | undefined {
  const open = new RegExp(`<(?:[A-Za-z0-9_]+:)?${name}(?:\\s[^>]*)?>`).exec(xml)
  if (open === null) return undefined
  const start = open.index + open[0].length
  const close = new RegExp(`</(?:[A-Za-z0-9_]+:)?${name}>`).exec(xml.slice(start))
  return close === null ? undefined : xml.slice(start, start + close.index)
}

/**
 * Reads an STS `AssumeRoleWithWebIdentity` answer. Success needs the operation's own
 * `<AssumeRoleWithWebIdentityResult>` wrapper, as the SDK does (another wrapper is no answer);
 * an error is `<Error><Code>` under any root. A document type declaration is refused.
 */
export function parseStsAnswer(xml: string): StsAnswer {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    return { kind: 'unreadable', reason: 'the answer declares a document type' }
  }
  const error = section(xml, 'Error')
  if (error !== undefined) {
    const code = element(error, 'Code')
    if (code !== undefined && code !== '') {
      return { kind: 'error', code, message: element(error, 'Message') ?? '' }
    }
  }
  const result = section(xml, 'AssumeRoleWithWebIdentityResult')
  const credentials = result === undefined ? undefined : section(result, 'Credentials')
  if (credentials === undefined) {
    return {
      kind: 'unreadable',
      reason: 'the answer has no AssumeRoleWithWebIdentityResult/Credentials',
    }
  }
  const accessKeyId = element(credentials, 'AccessKeyId')
  const secretAccessKey = element(credentials, 'SecretAccessKey')
  if (
    accessKeyId === undefined ||
    accessKeyId === '' ||
    secretAccessKey === undefined ||
    secretAccessKey === ''
  ) {
    return { kind: 'unreadable', reason: 'the answer has no AccessKeyId or SecretAccessKey' }
  }
  const sessionToken = element(credentials, 'SessionToken')
  const expiration = element(credentials, 'Expiration')
  return {
    kind: 'credentials',
    accessKeyId,
    secretAccessKey,
    ...(sessionToken === undefined || sessionToken === '' ? {} : { sessionToken }),
    ...(expiration === undefined || expiration === '' ? {} : { expiration }),
  }
}
