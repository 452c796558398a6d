/**
 * Matches `value` against `pattern`, where `*` stands for any run of characters (also none) and
 * every other character for itself. No regular expression is built, and the time is linear in
 * pattern plus value: the literal pieces between stars are found left to right with
 * Knuth–Morris–Pratt, and the leftmost match of each is always the right choice.
 */
export function matchGlob(pattern: string, value: string): boolean {
  const pieces = pattern.split('*')
  if (pieces.length === 1) return pattern === value
  const first = pieces[0] as string
  const last = pieces[pieces.length - 1] as string
  if (first.length + last.length > value.length) return false
  if (!value.startsWith(first) || !value.endsWith(last)) return false
  let from = first.length
  const end = value.length - last.length
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i] as string
    if (piece === '') continue
    const at = indexOfLinear(value, piece, from, end)
    if (at === -1) return false
    from = at + piece.length
  }
  return true
}

/** First index of `needle` in `text[from, end)`, or -1 (Knuth–Morris–Pratt). */
function indexOfLinear(text: string, needle: string, from: number, end: number): number {
  const failure = new Int32Array(needle.length)
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1] as number
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) k++
    failure[i] = k
  }
  for (let i = from, k = 0; i < end; i++) {
    while (k > 0 && text.charCodeAt(i) !== needle.charCodeAt(k)) k = failure[k - 1] as number
    if (text.charCodeAt(i) === needle.charCodeAt(k)) k++
    if (k === needle.length) return i - k + 1
  }
  return -1
}
