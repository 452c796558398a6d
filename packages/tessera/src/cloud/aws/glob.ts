import { detectHint, type Hint } from '@tessera/verify'

/**
 * IAM's `StringLike` match: `*` is any run of characters (also none), `?` exactly one, every
 * other character itself, case-sensitive. Greedy two-pointer matching with one backtrack
 * point: O(pattern × value) at worst, no regular expression, so no backtracking blow-up.
 */
export function globMatch(pattern: string, value: string): boolean {
  let p = 0
  let v = 0
  let star = -1
  let resume = 0
  while (v < value.length) {
    const c = pattern[p]
    if (c === '*') {
      star = p++
      resume = v
    } else if (c !== undefined && (c === '?' || c === value[v])) {
      p++
      v++
    } else if (star >= 0) {
      p = star + 1
      v = ++resume
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}

/** True when the pattern has a wildcard, i.e. is not just a literal value. */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?')
}

/**
 * The near miss between a `StringLike` pattern and a value it does not match: the value would
 * match once whitespace is trimmed, with a trailing slash added or removed, or ignoring case.
 * A pattern without wildcards is compared as a plain value (all of `detectHint`'s kinds).
 */
export function globHint(pattern: string, value: string): Hint | undefined {
  if (!hasWildcard(pattern)) return detectHint(pattern, value)
  if (globMatch(pattern.trim(), value.trim()))
    return { id: 'whitespace', words: 'the value matches the pattern once whitespace is trimmed' }
  if (
    globMatch(pattern, `${value}/`) ||
    (value.endsWith('/') && globMatch(pattern, value.slice(0, -1)))
  )
    return {
      id: 'trailing_slash',
      words: 'the value matches the pattern with a trailing slash added or removed',
    }
  if (globMatch(pattern.toLowerCase(), value.toLowerCase()))
    return {
      id: 'case',
      words: 'the value matches the pattern ignoring letter case (StringLike is case-sensitive)',
    }
  return undefined
}
