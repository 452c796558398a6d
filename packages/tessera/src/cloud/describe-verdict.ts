import type { ShownValue } from '@tessera/verify'
import type { CloudVerdict } from './verdict.ts'

const show = (v: ShownValue): string =>
  typeof v === 'string' ? JSON.stringify(v) : `[${v.map((x) => JSON.stringify(x)).join(', ')}]`

/**
 * The human lines for one cloud's verdict: `✓ accepted`, or `✗` with the cloud's code and
 * message, then Tessera's explanation (clause, expected, actual, hint) and any further
 * failing rules. Lines are unindented; the caller indents them.
 */
export function describeVerdict(cloud: string, verdict: CloudVerdict): string[] {
  if (verdict.accepted) return [`✓ ${cloud}: accepted`]
  const lines = [`✗ ${cloud}: ${verdict.code}: ${verdict.message}`]
  verdict.failures.forEach((f, i) => {
    const e = f.explanation
    if (i > 0) lines.push(`  also ${f.code}: ${f.message}`)
    lines.push(`    clause:   ${e.check}`)
    lines.push(`    why:      ${e.code}: ${e.message}`)
    if (e.expected !== undefined) lines.push(`    expected: ${show(e.expected)}`)
    if (e.actual !== undefined) lines.push(`    actual:   ${show(e.actual)}`)
    if (e.hint !== undefined) lines.push(`    hint:     ${e.hint}`)
  })
  return lines
}
