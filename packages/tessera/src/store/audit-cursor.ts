// The audit cursor is the id of the last record of a page, base64url-encoded so that callers
// treat it as opaque and a later change of its contents is not an API change.

/** Encodes the id of the oldest record of a page as the cursor of the next page. */
export function encodeAuditCursor(id: number): string {
  return Buffer.from(String(id), 'utf8').toString('base64url')
}

/** Decodes a cursor to a record id, or returns undefined when it is not one this store made. */
export function decodeAuditCursor(cursor: string): number | undefined {
  // 24 characters hold 18 decimal digits, more than any id below 2^53; this bounds the work
  // done on untrusted input before the pattern test.
  if (cursor.length === 0 || cursor.length > 24 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return
  const text = Buffer.from(cursor, 'base64url').toString('utf8')
  // Canonical only: a positive decimal without leading zeros, so each id has one cursor.
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return
  const id = Number(text)
  if (!Number.isSafeInteger(id) || encodeAuditCursor(id) !== cursor) return
  return id
}
