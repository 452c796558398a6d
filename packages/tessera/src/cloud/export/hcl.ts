/** A reference or function call written as is (`data.x.id`), not as a string. */
export interface HclRaw {
  readonly raw: string
}

/** A value of an HCL attribute. */
export type HclValue = string | number | boolean | HclRaw | readonly HclValue[] | HclObject

/** An HCL object: keys in the order written. */
export interface HclObject {
  readonly [key: string]: HclValue | undefined
}

/** A reference written as is. */
export const raw = (text: string): HclRaw => ({ raw: text })

const isRaw = (value: unknown): value is HclRaw =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && 'raw' in value

/**
 * An HCL string literal: JSON escapes, and `${` / `%{` doubled so that no value is read as
 * a template interpolation or directive.
 */
export function hclString(value: string): string {
  return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{')
}

/** An HCL expression for `value`, indented for nesting at `depth`. */
export function hclValue(value: HclValue, depth = 1): string {
  if (typeof value === 'string') return hclString(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (isRaw(value)) return value.raw
  const pad = '  '.repeat(depth)
  const end = '  '.repeat(depth - 1)
  if (Array.isArray(value)) {
    const items = value as readonly HclValue[]
    if (items.length === 0) return '[]'
    return `[\n${items.map((v) => `${pad}${hclValue(v, depth + 1)},`).join('\n')}\n${end}]`
  }
  const entries = Object.entries(value as HclObject).filter(([, v]) => v !== undefined)
  if (entries.length === 0) return '{}'
  return `{\n${entries.map(([k, v]) => `${pad}${hclString(k)} = ${hclValue(v as HclValue, depth + 1)}`).join('\n')}\n${end}}`
}

/** One block: `resource "type" "name" { … }`, attributes aligned, nested blocks after. */
export function hclBlock(
  header: string,
  attributes: Readonly<Record<string, HclValue | undefined>>,
  blocks: readonly {
    name: string
    attributes: Readonly<Record<string, HclValue | undefined>>
  }[] = [],
  depth = 1,
): string {
  const pad = '  '.repeat(depth)
  const present = Object.entries(attributes).filter(([, v]) => v !== undefined)
  const width = Math.max(0, ...present.map(([k]) => k.length))
  const lines = present.map(
    ([k, v]) => `${pad}${k.padEnd(width)} = ${hclValue(v as HclValue, depth + 1)}`,
  )
  for (const block of blocks) {
    lines.push('')
    lines.push(hclBlock(block.name, block.attributes, [], depth + 1).replace(/^/, pad))
  }
  return `${header} {\n${lines.join('\n')}\n${'  '.repeat(depth - 1)}}`
}

/** A Terraform identifier made from `name`: letters, digits and `_`, not starting with a digit. */
export function hclIdentifier(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
  return /^[a-z_]/.test(id) ? id : `r_${id}`
}

/** Identifiers for `names`, made unique by a numeric suffix in order. */
export function uniqueIdentifiers(names: readonly string[]): string[] {
  const used = new Set<string>()
  return names.map((name) => {
    const base = hclIdentifier(name)
    let id = base
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`
    used.add(id)
    return id
  })
}
