/**
 * `export NAME='value'` lines for a POSIX shell, in the order given. Values are single-quoted
 * (a `'` inside becomes `'\''`) so paths and URLs are never split or expanded.
 */
export function renderExportLines(environment: Readonly<Record<string, string>>): string[] {
  return Object.entries(environment).map(
    ([name, value]) => `export ${name}='${value.replaceAll("'", "'\\''")}'`,
  )
}
