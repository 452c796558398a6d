import { isTesseraError } from '@tessera/verify'
import { doctorTokenUsage, runDoctorToken } from './commands/doctor-token.ts'
import { runTokenInspect, tokenInspectUsage } from './commands/token-inspect.ts'
import { exitCodes } from './exit-codes.ts'
import { type Output, processOutput } from './output/stream.ts'

const usage = `usage: tessera <command> [options]

commands:
  doctor token   verify a token against the expected issuer and audience, explain every failure
  token inspect  decode a token without verifying it

Run \`tessera <command> --help\` for a command's options.`

type Command = (
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
) => Promise<number>

const commands: Record<string, { run: Command; usage: string }> = {
  'doctor token': { run: runDoctorToken, usage: doctorTokenUsage },
  'token inspect': { run: runTokenInspect, usage: tokenInspectUsage },
}

/**
 * Runs the CLI with `argv` (without node and script) and returns the exit status. Usage
 * errors print the problem and the command's usage with status 2.
 */
export async function runCli(
  argv: readonly string[],
  output: Output = processOutput(),
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    output.out(usage)
    return argv.length === 0 ? exitCodes.usage : exitCodes.ok
  }
  const name = `${argv[0]} ${argv[1] ?? ''}`.trim()
  const command = commands[name]
  if (command === undefined) {
    const group = Object.keys(commands).filter((c) => c.startsWith(`${argv[0]} `))
    if (group.length > 0) {
      const help = argv[1] === '--help' || argv[1] === '-h'
      const text = `usage: tessera ${argv[0]} <${group.map((c) => c.split(' ')[1]).join(' | ')}> [options]`
      if (help) output.out(text)
      else
        output.err(
          `tessera: ${argv[1] === undefined ? 'missing' : `unknown`} ${argv[0]} command${argv[1] === undefined ? '' : ` ${JSON.stringify(argv[1])}`}\n${text}`,
        )
      return help ? exitCodes.ok : exitCodes.usage
    }
    output.err(`tessera: unknown command ${JSON.stringify(name)}`)
    output.err(usage)
    return exitCodes.usage
  }
  try {
    return await command.run(argv.slice(2), output, stdin)
  } catch (error) {
    if (isTesseraError(error)) {
      output.err(`tessera ${name}: ${error.code}: ${error.message}`)
      if (error.code === 'invalid_options') output.err(command.usage)
      return exitCodes.usage
    }
    if (
      error instanceof TypeError &&
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      output.err(`tessera ${name}: ${error.message}`)
      output.err(command.usage)
      return exitCodes.usage
    }
    throw error
  }
}

if (import.meta.main) {
  process.exitCode = await runCli(process.argv.slice(2))
}
