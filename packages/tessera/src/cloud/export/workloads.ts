/** True when a configured workload is a glob (`*` or `?`), not one exact SPIFFE ID. */
export function isGlob(workload: string): boolean {
  return /[*?]/.test(workload)
}

/**
 * A subject Tessera could mint for the workload: the ID itself, or for a glob one instance of
 * it (`*` → `sample`, `?` → `x`), so a live policy can be evaluated against a token-shaped
 * claims object.
 */
export function sampleSubject(workload: string): string {
  return workload.replace(/\*/g, 'sample').replace(/\?/g, 'x')
}

/** An RE2 pattern (anchored) matching what an IAM `StringLike` glob matches. */
export function globPattern(workload: string): string {
  let out = '^'
  for (const char of workload) {
    if (char === '*') out += '.*'
    else if (char === '?') out += '.'
    else out += /[\\^$.|?*+()[\]{}]/.test(char) ? `\\${char}` : char
  }
  return `${out}$`
}

/** A CEL string literal (single-quoted) holding `value`. */
export function celString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/** The sorted, de-duplicated list. */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort()
}
