import { quote } from '@tessera/verify'
import type { AuditRecord } from '../../sts/index.ts'
import type { Output } from './stream.ts'

/**
 * Prints one audit record on one line: time, decision, kind, then the code and hint of a
 * denial or the policy of a grant, the presented and issued identities, and the correlation id.
 * Values come from tokens a caller chose, so each is quoted (control characters escaped,
 * length bounded) before it reaches the terminal.
 */
export function renderAuditLine(record: AuditRecord, output: Output): void {
  const time = new Date(record.time).toISOString()
  const decision =
    record.decision === 'allow' ? output.style('green', 'allow') : output.style('red', 'deny ')
  const parts = [time, decision, record.kind.padEnd(8)]
  if (record.code !== undefined) parts.push(`code=${record.code}`)
  if (record.hint !== undefined) parts.push(`hint=${record.hint}`)
  if (record.policy !== undefined) parts.push(`policy=${quote(record.policy)}`)
  const presented = record.presented
  if (presented?.iss !== undefined) parts.push(`iss=${quote(presented.iss)}`)
  if (presented?.sub !== undefined) parts.push(`sub=${quote(presented.sub)}`)
  if (record.issued !== undefined) {
    parts.push(`→ sub=${quote(record.issued.sub)}`, `aud=${quote(record.issued.aud)}`)
    if (record.issued.scope !== undefined) parts.push(`scope=${quote(record.issued.scope)}`)
  }
  parts.push(output.style('dim', `correlation=${record.correlationId}`))
  output.out(parts.join('  '))
}
