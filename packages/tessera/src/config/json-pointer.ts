/** Escapes one reference token of a JSON pointer (RFC 6901 §3: `~` → `~0`, `/` → `~1`). */
export function escapeToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Builds a JSON pointer from its tokens: `pointer('policies', 0, 'subject')` → `/policies/0/subject`. */
export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('')
}

/** Splits a JSON pointer into its unescaped tokens (`''` → `[]`). */
export function tokensOf(path: string): string[] {
  if (path === '') return []
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
}
