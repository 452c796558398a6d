import type { Problem } from '@tessera/verify'
import {
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLError,
} from 'yaml'
import { tokensOf } from './json-pointer.ts'

/**
 * Most alias nodes a document may expand. Aliases are handy for repeating an audience list;
 * a "billion laughs" document multiplies them, which `yaml` refuses past this count.
 */
export const maxAliasCount = 100

/** A line and column, both from 1. */
export interface SourcePosition {
  readonly line: number
  readonly column: number
}

/** A parsed YAML document: its value (when it parsed), its problems, and a way to find a path in it. */
export interface ParsedYaml {
  readonly value: unknown
  readonly problems: readonly Problem[]
  /** Where the node at a JSON pointer (or its nearest existing ancestor) starts. */
  locate(path: string): SourcePosition | undefined
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1)
}

/**
 * Parses one YAML 1.2 document (core schema). Syntax errors, duplicate keys, non-string keys,
 * unresolved tags, several documents and excessive aliases are problems at path `""` whose
 * message starts with the line and column. Merge keys (`<<`) stay plain keys, so the schema
 * refuses them as unknown.
 */
export function parseYaml(text: string): ParsedYaml {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    strict: true,
    uniqueKeys: true,
    stringKeys: true,
    merge: false,
    version: '1.2',
    schema: 'core',
  })
  const at = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }
  const problem = (error: YAMLError): Problem => {
    const { line, column } = at(error.pos[0])
    return {
      path: '',
      message: `yaml syntax error at line ${line}, column ${column}: ${lowerFirst(error.message)}`,
    }
  }
  const problems = [...doc.errors, ...doc.warnings].map(problem)
  // Walks the node tree rather than asking doc.getIn, so a key's own position is found (an
  // unknown key is reported where it is written, a bad value where its key is).
  const locate = (path: string): SourcePosition | undefined => {
    let node: unknown = doc.contents
    if (!isNode(node) || node.range == null) return undefined
    let position = at(node.range[0])
    for (const token of tokensOf(path)) {
      if (isAlias(node)) node = node.resolve(doc)
      let next: { readonly start: Node; readonly node: unknown } | undefined
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === token)
        if (pair !== undefined) next = { start: pair.key as Node, node: pair.value }
      } else if (isSeq(node)) {
        const item = node.items[Number(token)]
        if (isNode(item)) next = { start: item, node: item }
      }
      if (next?.start.range == null) break
      position = at(next.start.range[0])
      node = next.node
    }
    return position
  }
  if (problems.length > 0) return { value: undefined, problems, locate }
  try {
    return { value: doc.toJS({ maxAliasCount }), problems, locate }
  } catch (error) {
    // yaml throws a ReferenceError when aliases expand past maxAliasCount.
    return {
      value: undefined,
      problems: [
        {
          path: '',
          message: `yaml aliases expand too much: ${lowerFirst((error as Error).message)} (at most ${maxAliasCount} alias expansions)`,
        },
      ],
      locate,
    }
  }
}
