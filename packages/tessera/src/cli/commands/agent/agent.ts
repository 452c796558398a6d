import { isTesseraError } from '@tessera/verify'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'

/** A `tessera agent <subcommand>`: the arguments after the subcommand's name. */
type Subcommand = (
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
) => Promise<number>

// One line per subcommand; each is imported when it runs, as `main.ts` does for commands.
const subcommands: Record<string, () => Promise<{ run: Subcommand; usage: string }>> = {
  run: async () => {
    const m = await import('./agent-run.ts')
    return { run: m.runAgentRun, usage: m.agentRunUsage }
  },
  status: async () => {
    const m = await import('./agent-status.ts')
    return { run: m.runAgentStatus, usage: m.agentStatusUsage }
  },
  'aws-credential-process': async () => {
    const m = await import('./aws-credential-process.ts')
    return { run: m.runAgentAwsCredentialProcess, usage: m.agentAwsCredentialProcessUsage }
  },
  'gcp-config': async () => {
    const m = await import('./gcp-config.ts')
    return { run: m.runAgentGcpConfig, usage: m.agentGcpConfigUsage }
  },
  'gcp-executable': async () => {
    const m = await import('./gcp-executable.ts')
    return { run: m.runAgentGcpExecutable, usage: m.agentGcpExecutableUsage }
  },
  env: async () => {
    const m = await import('./env.ts')
    return { run: m.runAgentEnv, usage: m.agentEnvUsage }
  },
}

/** The usage of `tessera agent`, listing its subcommands. */
export const agentUsage = `usage: tessera agent <${Object.keys(subcommands).join(' | ')}> [options]

Runs beside a workload: attests to Tessera, keeps one fresh token per audience in files the
cloud SDKs read, and reports its health. Run \`tessera agent <subcommand> --help\` for options.`

/**
 * Dispatches `tessera agent <subcommand> …` to the subcommand's module; an unknown or missing
 * subcommand prints the usage with status 2.
 */
export async function runAgent(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const name = argv[0]
  if (name === '--help' || name === '-h') {
    output.out(agentUsage)
    return exitCodes.ok
  }
  const load =
    name !== undefined && Object.hasOwn(subcommands, name) ? subcommands[name] : undefined
  if (load === undefined) {
    output.err(
      `tessera agent: ${name === undefined ? 'missing subcommand' : `unknown subcommand ${JSON.stringify(name)}`}`,
    )
    output.err(agentUsage)
    return exitCodes.usage
  }
  const subcommand = await load()
  try {
    return await subcommand.run(argv.slice(1), output, stdin)
  } catch (error) {
    // A usage mistake shows the subcommand's usage, not the whole group's.
    const parseArgs = (error as { code?: unknown } | null)?.code
    if (
      (isTesseraError(error) && error.code === 'invalid_options') ||
      (typeof parseArgs === 'string' && parseArgs.startsWith('ERR_PARSE_ARGS'))
    ) {
      const code = isTesseraError(error) ? 'invalid_options: ' : ''
      output.err(`tessera agent ${name}: ${code}${(error as Error).message}`)
      output.err(subcommand.usage)
      return exitCodes.usage
    }
    throw error
  }
}
