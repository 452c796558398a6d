/**
 * Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding). Node's decoder skips
 * characters outside the alphabet and accepts `+`, `/` and `=`; a JWS must not.
 */

// 0 = not in the base64url alphabet, 1 = in it.
const alphabet = new Uint8Array(128)
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') {
  alphabet[c.charCodeAt(0)] = 1
}
const sixBits = new Uint8Array(128)
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => {
  sixBits[c.charCodeAt(0)] = i
})

/**
 * Returns true when `text[start, end)` is canonical base64url: only alphabet characters, a
 * length that is not 1 mod 4, and zero unused bits in the last character (so that exactly one
 * string encodes each byte sequence).
 */
export function isStrictBase64url(text: string, start = 0, end = text.length): boolean {
  const length = end - start
  if (length % 4 === 1) return false
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c > 127 || alphabet[c] === 0) return false
  }
  if (length === 0) return true
  const last = sixBits[text.charCodeAt(end - 1)] ?? 0
  const rest = length % 4
  if (rest === 2) return (last & 0x0f) === 0
  if (rest === 3) return (last & 0x03) === 0
  return true
}

/** Decodes a segment already checked by `isStrictBase64url`. */
export function decodeBase64url(text: string): Buffer {
  return Buffer.from(text, 'base64url')
}

/** Encodes bytes or a UTF-8 string as unpadded base64url. */
export function encodeBase64url(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url')
}

/**
 * Decodes `text` if and only if it is canonical base64url, else returns undefined. Decodes
 * first and then checks (cheaper than a character scan on the hot path): non-ASCII input is
 * refused, any character the lenient decoder skipped or stopped at shortens the output, `+` and `/` are looked for
 * explicitly, and the last character must have its unused bits clear. Agrees with
 * `isStrictBase64url` on every input (property-tested).
 */
export function decodeStrictBase64url(text: string): Buffer | undefined {
  const length = text.length
  const rest = length & 3
  if (rest === 1) return undefined
  // Node's decoder reads a non-ASCII code unit by its low byte ("\u0144" decodes as "D"), which
  // would give one signature many spellings; the UTF-8 length equals the length only for ASCII.
  if (Buffer.byteLength(text, 'utf8') !== length) return undefined
  const bytes = Buffer.from(text, 'base64url')
  if (bytes.length !== (length * 3) >> 2) return undefined
  if (text.includes('+') || text.includes('/')) return undefined
  if (rest !== 0) {
    const last = sixBits[text.charCodeAt(length - 1)] ?? 0
    if ((rest === 2 ? last & 0x0f : last & 0x03) !== 0) return undefined
  }
  return bytes
}
