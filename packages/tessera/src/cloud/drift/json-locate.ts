/** A 1-based line and column (UTF-16 code units, SARIF's default `columnKind`). */
export interface TextPosition {
  readonly startLine: number
  readonly startColumn: number
}

type Segment = string | number

/**
 * The segments of a finding path as `doctor cloud` prints it: `a.b[0]["c.d"]`, with the
 * ` (Sid "…")` label after a statement index left out (the index already names it).
 */
export function pathSegments(path: string): Segment[] {
  const bare = path.replace(/ \(Sid "(?:[^"\\]|\\.)*"\)/g, '')
  const segments: Segment[] = []
  for (const m of bare.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.[\]]+)/g)) {
    if (m[1] !== undefined) segments.push(Number(m[1]))
    else if (m[2] !== undefined) segments.push(JSON.parse(m[2]) as string)
    else if (m[3] !== undefined) segments.push(m[3])
  }
  return segments
}

/**
 * Where `path` sits in the JSON `text`: the position of the key of its last segment (of the
 * element, for an index), at the first place in the document whose key path ends with the
 * path's segments, so `AssumeRolePolicyDocument…` is found under `get-role`'s `Role` too.
 * Best effort: undefined when the text is not JSON or nothing there ends with the path.
 */
export function locateJsonPath(text: string, path: string): TextPosition | undefined {
  const want = pathSegments(path)
  if (want.length === 0) return undefined
  let found: number | undefined
  try {
    scanJson(text, (segments, offset) => {
      if (found !== undefined || segments.length < want.length) return
      const tail = segments.slice(segments.length - want.length)
      if (tail.every((s, i) => s === want[i])) found = offset
    })
  } catch {
    return undefined
  }
  return found === undefined ? undefined : positionOf(text, found)
}

function positionOf(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { startLine: before.split('\n').length, startColumn: offset - lineStart + 1 }
}

const literalPattern = /true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

// A JSON scanner that reports each member's key path with the offset of its key (or of the
// element, in an array). It only needs to be right for valid JSON: anything else throws.
function scanJson(text: string, visit: (path: Segment[], offset: number) => void): void {
  let i = 0
  const space = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++
  }
  const fail = (): never => {
    throw new SyntaxError(`unexpected JSON at ${i}`)
  }
  const string = (): string => {
    const start = i
    i++
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1
    if (i >= text.length) fail()
    i++
    return JSON.parse(text.slice(start, i)) as string
  }
  const value = (path: Segment[]): void => {
    space()
    const c = text[i]
    if (c === '{') {
      i++
      space()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        space()
        if (text[i] !== '"') fail()
        const at = i
        const key = string()
        visit([...path, key], at)
        space()
        if (text[i] !== ':') fail()
        i++
        value([...path, key])
        space()
        if (text[i] === ',') i++
        else if (text[i] === '}') {
          i++
          return
        } else fail()
      }
    }
    if (c === '[') {
      i++
      space()
      if (text[i] === ']') {
        i++
        return
      }
      for (let n = 0; ; n++) {
        space()
        visit([...path, n], i)
        value([...path, n])
        space()
        if (text[i] === ',') i++
        else if (text[i] === ']') {
          i++
          return
        } else fail()
      }
    }
    if (c === '"') {
      string()
      return
    }
    literalPattern.lastIndex = i
    const literal = literalPattern.exec(text)
    if (literal === null) fail()
    i += (literal as RegExpExecArray)[0].length
  }
  value([])
  space()
  if (i !== text.length) fail()
}
