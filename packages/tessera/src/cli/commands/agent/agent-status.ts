import { parseArgs } from 'node:util'
import { type AudienceStatus, loadAgentConfig, readStatusFile } from '../../../agent/index.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { usageError } from '../../usage-error.ts'

export const agentStatusUsage = `usage: tessera agent status --config FILE [--json]

Prints what the running agent of tessera-agent.yaml last wrote to its status file: for each
audience the file, subject, expiry and last refresh, and the last error with its code and
hint. Never a token.
Exit status: 0 every audience holds a valid token, 1 one does not, 2 bad config or no status.`

/** Prints the agent's status file, as text or JSON. */
export async function runAgentStatus(
  argv: readonly string[],
  output: Output,
  _stdin?: NodeJS.ReadableStream,
  now: () => number = () => Math.floor(Date.now() / 1000),
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentStatusUsage)
    return exitCodes.ok
  }
  if (values.config === undefined)
    throw usageError('--config is required: the tessera-agent.yaml of the agent', 'config')
  const config = await loadAgentConfig(values.config)
  const status = await readStatusFile(config.status.file)
  const at = now()
  const healthy = (a: AudienceStatus) => a.expiresAt !== undefined && a.expiresAt > at
  if (values.json) output.out(JSON.stringify(status, null, 2))
  else for (const audience of status.audiences) output.out(describe(audience, at))
  return status.audiences.every(healthy) ? exitCodes.ok : exitCodes.rejected
}

function describe(a: AudienceStatus, now: number): string {
  const iso = (s: number) => new Date(s * 1000).toISOString()
  const lines = [`${a.audience}`, `  file         ${a.file}`]
  if (a.subject !== undefined) lines.push(`  subject      ${a.subject}`)
  if (a.expiresAt !== undefined) {
    const left = a.expiresAt - now
    lines.push(
      `  expires      ${iso(a.expiresAt)} (${left > 0 ? `in ${left} s` : `expired ${-left} s ago`})`,
    )
  } else lines.push('  expires      no token yet')
  if (a.lastRefresh !== undefined) lines.push(`  last refresh ${iso(a.lastRefresh)}`)
  if (a.lastError !== undefined) {
    lines.push(`  last error   ${a.lastError.code}: ${a.lastError.message}`)
    if (a.lastError.hint !== undefined) lines.push(`  hint         ${a.lastError.hint}`)
  }
  return lines.join('\n')
}
