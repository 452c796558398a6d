/**
 * Globs of `subject`, `claims` and `actor.subject`: `*` matches any run of characters within one
 * segment (never `/` or `:`), `**` matches any run of characters; every other character is
 * literal, so a subject such as `repo:acme/app:ref:refs/heads/feat?x` needs no escaping.
 *
 * A glob is compiled once into a token list and matched by simulating its automaton over the
 * value: O(value length × pattern length) for every input. A backtracking RegExp would be
 * polynomial in the token's length for patterns like `**a**a**b`, and the value comes from the
 * presented token, so an attacker would choose it.
 */

const literal = 0
const star = 1
const doubleStar = 2

const slash = 0x2f
const colon = 0x3a

/** A compiled glob. */
export interface Glob {
  /** The pattern as written. */
  readonly pattern: string
  /** True when the pattern has no wildcard: it matches exactly itself. */
  readonly literal: boolean
  /** True when `value` matches the whole pattern (anchored at both ends, case-sensitive). */
  matches(value: string): boolean
}

/** True when `pattern` contains a wildcard (`*`). */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*')
}

/** Compiles `pattern` once; a run of three or more `*` behaves as `**`. */
export function compileGlob(pattern: string): Glob {
  if (!hasWildcard(pattern)) {
    return Object.freeze({ pattern, literal: true, matches: (value: string) => value === pattern })
  }
  // The literal text before the first `*` and after the last can only match the value's own
  // start and end, so they are compared directly and the automaton runs on what lies between:
  // for `repo:acme/app:ref:refs/heads/*` that is one token over the branch name, not the
  // whole pattern over the whole subject.
  const first = pattern.indexOf('*')
  const last = pattern.lastIndexOf('*')
  const prefix = pattern.slice(0, first)
  const suffix = pattern.slice(last + 1)
  const { kinds, units } = tokenize(pattern.slice(first, last + 1))
  const matches = (value: string): boolean =>
    value.length >= prefix.length + suffix.length &&
    value.startsWith(prefix) &&
    value.endsWith(suffix) &&
    run(kinds, units, value, prefix.length, value.length - suffix.length).accepted
  return Object.freeze({ pattern, literal: false, matches })
}

// One token per literal UTF-16 unit or wildcard; a run of three or more `*` is `**`.
function tokenize(pattern: string): { kinds: Uint8Array; units: Uint16Array } {
  const kinds: number[] = []
  const units: number[] = []
  for (let i = 0; i < pattern.length; i++) {
    const unit = pattern.charCodeAt(i)
    if (unit !== 0x2a) {
      kinds.push(literal)
      units.push(unit)
      continue
    }
    let stars = 1
    while (pattern.charCodeAt(i + stars) === 0x2a) stars++
    kinds.push(stars === 1 ? star : doubleStar)
    units.push(0)
    i += stars - 1
  }
  return { kinds: Uint8Array.from(kinds), units: Uint16Array.from(units) }
}

/**
 * True when some value starting with `prefix` matches the glob: for a literal, when it starts
 * with `prefix`; otherwise when the automaton is still alive after reading `prefix` (every
 * pattern rest can be completed: literals by themselves, wildcards by nothing).
 */
export function acceptsPrefix(glob: Glob, prefix: string): boolean {
  if (glob.literal) return glob.pattern.startsWith(prefix)
  const { kinds, units } = tokenize(glob.pattern)
  return run(kinds, units, prefix).alive
}

// A wildcard may match nothing, so a reachable wildcard makes the next token reachable too.
// Ascending order carries the closure along a run of wildcards in one pass.
function close(kinds: Uint8Array, states: Uint8Array): void {
  for (let i = 0; i < kinds.length; i++) {
    if (states[i] === 1 && kinds[i] !== literal) states[i + 1] = 1
  }
}

// Runs the automaton over `value` from `start` to `end`: `alive` when some state survives,
// `accepted` when the end of the pattern is reached exactly at `end`.
function run(
  kinds: Uint8Array,
  units: Uint16Array,
  value: string,
  start = 0,
  end = value.length,
): { readonly alive: boolean; readonly accepted: boolean } {
  const size = kinds.length
  let current = new Uint8Array(size + 1)
  let next = new Uint8Array(size + 1)
  current[0] = 1
  close(kinds, current)
  for (let j = start; j < end; j++) {
    const unit = value.charCodeAt(j)
    next.fill(0)
    let alive = false
    for (let i = 0; i < size; i++) {
      if (current[i] !== 1) continue
      const kind = kinds[i]
      if (kind === literal) {
        if (units[i] === unit) {
          next[i + 1] = 1
          alive = true
        }
      } else if (kind === doubleStar || (unit !== slash && unit !== colon)) {
        next[i] = 1
        alive = true
      }
    }
    if (!alive) return { alive: false, accepted: false }
    close(kinds, next)
    ;[current, next] = [next, current]
  }
  return { alive: true, accepted: current[size] === 1 }
}
