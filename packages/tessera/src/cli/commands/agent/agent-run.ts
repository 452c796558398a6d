import { parseArgs } from 'node:util'
import { type AgentEvent, createAgent, loadAgentConfig } from '../../../agent/index.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { usageError } from '../../usage-error.ts'

export const agentRunUsage = `usage: tessera agent run --config FILE

Attests to Tessera, writes one token per audience of tessera-agent.yaml (atomically, mode
0600) and keeps them fresh until SIGTERM or SIGINT. Tokens never reach stdout or a log: each
refresh prints the audience, subject and expiry. While Tessera is unreachable the last valid
token stays in place until it expires.
Exit status: 0 stopped by a signal, 1 a token could not be obtained or written, 2 bad config.`

/** What `runAgentRun` waits on; a test passes its own signal instead of the process's. */
export interface AgentRunHooks {
  /** Resolves when the agent should stop (default: the first SIGTERM or SIGINT). */
  readonly stopped?: Promise<unknown>
  /** Called once the first tokens are written. */
  readonly started?: () => void
}

/** Runs the agent until a signal (or `hooks.stopped`), then stops it cleanly. */
export async function runAgentRun(
  argv: readonly string[],
  output: Output,
  _stdin?: NodeJS.ReadableStream,
  hooks: AgentRunHooks = {},
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentRunUsage)
    return exitCodes.ok
  }
  if (values.config === undefined)
    throw usageError('--config is required: the tessera-agent.yaml to run', 'config')
  const config = await loadAgentConfig(values.config)
  const agent = createAgent(config, { onEvent: (event) => report(output, event) })
  try {
    await agent.start()
  } catch (error) {
    const e = error as { code?: string; message?: string }
    output.err(`tessera agent run: ${e.code ?? 'internal_error'}: ${e.message ?? String(error)}`)
    return e.code === 'invalid_config' ? exitCodes.usage : exitCodes.rejected
  }
  hooks.started?.()
  // The agent's timers are unref'd; this one keeps the process alive until it is told to stop.
  const keepAlive = setInterval(() => undefined, 2 ** 30)
  try {
    await (hooks.stopped ?? untilSignal())
  } finally {
    clearInterval(keepAlive)
    await agent.stop()
  }
  output.err('tessera agent run: stopped')
  return exitCodes.ok
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on)
      process.off('SIGINT', on)
      resolve(signal)
    }
    process.on('SIGTERM', on)
    process.on('SIGINT', on)
  })
}

function report(output: Output, event: AgentEvent): void {
  switch (event.type) {
    case 'refreshed':
      output.err(
        `refreshed ${event.audience} → ${event.file} (sub ${event.subject ?? '?'}, expires ${new Date(event.expiresAt * 1000).toISOString()})`,
      )
      return
    case 'refresh_failed':
      output.err(`refresh of ${event.audience} failed: ${event.code}: ${event.message}`)
      return
    case 'expired':
      output.err(`the token of ${event.audience} in ${event.file} has expired`)
      return
    default:
      output.err(`status file not written: ${event.code}: ${event.message}`)
  }
}
