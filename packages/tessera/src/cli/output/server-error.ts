import { type HintId, hintDescriptions, hintIds } from '@tessera/verify'
import type { Output } from './stream.ts'

/**
 * Prints an error a Tessera server answered (RFC 6749 §5.2 JSON with Tessera's `code`, or the
 * `/v1` error body): the code and message on the first line, then the hint in words, expected
 * and actual, the deciding policy and the correlation id that finds the audit record.
 */
export function renderServerError(
  command: string,
  status: number,
  body: unknown,
  output: Output,
): void {
  const fields = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>
  const code = text(fields.code) ?? text(fields.error) ?? `http_${status}`
  const message =
    text(fields.error_description) ?? text(fields.message) ?? `the server answered HTTP ${status}`
  output.err(`tessera ${command}: ${output.style('red', code)}: ${message}`)
  const hint = text(fields.hint)
  if (hint !== undefined) {
    const words = (hintIds as readonly string[]).includes(hint)
      ? ` (${hintDescriptions[hint as HintId]})`
      : ''
    output.err(`  hint:     ${hint}${words}`)
  }
  if (fields.expected !== undefined) output.err(`  expected: ${JSON.stringify(fields.expected)}`)
  if (fields.actual !== undefined) output.err(`  actual:   ${JSON.stringify(fields.actual)}`)
  const policy = text(fields.policy)
  if (policy !== undefined) output.err(`  policy:   ${policy}`)
  const correlation = text(fields.correlation_id) ?? text(fields.correlationId)
  if (correlation !== undefined) output.err(`  correlation id: ${correlation}`)
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
