import { isTesseraError } from '@tessera/verify'
import { exitCodes } from './exit-codes.ts'
import { type Output, processOutput } from './output/stream.ts'

const usage = `usage: tessera <command> [options]

commands:
  up                 run the workload issuer and token exchange server
  init               write a commented starting tessera.yaml
  join-token create  create a one-time join token for a workload
  token mint         get a workload identity token from a running server
  exchange           exchange a token for an access token (RFC 8693 client)
  keys list          list the issuer's signing keys
  keys rotate        pre-publish a new signing key
  keys revoke        unpublish a signing key
  audit tail         print (and follow) the audit log of a running server
  doctor token       verify a token against the expected issuer and audience, explain every failure
  doctor saml        check a SAML Response against IdP metadata, explain every failure (--aws: STS's answer)
  doctor key         say what a private key file is, and check it against its certificate and chain
  doctor cloud       compare the live AWS/GCP/Azure configuration with cloud export, list every drift
  cloud export       write the AWS/GCP/Azure configuration that accepts Tessera's tokens (JSON, Terraform)
  token inspect      decode a token without verifying it
  agent              run beside a workload: keep token files fresh (run, status, …)

Run \`tessera <command> --help\` for a command's options.`

type Command = (
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
) => Promise<number>

// Each command is imported when it runs: `up` loads the whole server (Fastify, SQLite, the
// policy engine), which would triple the start-up time of `doctor token` and `token inspect`.
const commands: Record<string, () => Promise<{ run: Command; usage: string }>> = {
  up: async () => {
    const m = await import('./commands/up.ts')
    return { run: m.runUp, usage: m.upUsage }
  },
  init: async () => {
    const m = await import('./commands/init.ts')
    return { run: m.runInit, usage: m.initUsage }
  },
  'join-token create': async () => {
    const m = await import('./commands/join-token.ts')
    return { run: m.runJoinTokenCreate, usage: m.joinTokenCreateUsage }
  },
  'token mint': async () => {
    const m = await import('./commands/token-mint.ts')
    return { run: m.runTokenMint, usage: m.tokenMintUsage }
  },
  exchange: async () => {
    const m = await import('./commands/exchange.ts')
    return { run: m.runExchange, usage: m.exchangeUsage }
  },
  'keys list': async () => {
    const m = await import('./commands/keys.ts')
    return { run: m.runKeysList, usage: m.keysListUsage }
  },
  'keys rotate': async () => {
    const m = await import('./commands/keys.ts')
    return { run: m.runKeysRotate, usage: m.keysRotateUsage }
  },
  'keys revoke': async () => {
    const m = await import('./commands/keys.ts')
    return { run: m.runKeysRevoke, usage: m.keysRevokeUsage }
  },
  'audit tail': async () => {
    const m = await import('./commands/audit-tail.ts')
    return { run: m.runAuditTail, usage: m.auditTailUsage }
  },
  'doctor token': async () => {
    const m = await import('./commands/doctor-token.ts')
    return { run: m.runDoctorToken, usage: m.doctorTokenUsage }
  },
  'doctor saml': async () => {
    const m = await import('./commands/doctor-saml.ts')
    return { run: m.runDoctorSaml, usage: m.doctorSamlUsage }
  },
  'doctor cloud': async () => {
    const m = await import('./commands/doctor-cloud.ts')
    return { run: m.runDoctorCloud, usage: m.doctorCloudUsage }
  },
  'cloud export': async () => {
    const m = await import('./commands/cloud-export.ts')
    return { run: m.runCloudExport, usage: m.cloudExportUsage }
  },
  'doctor key': async () => {
    const m = await import('./commands/doctor-key/doctor-key.ts')
    return { run: m.runDoctorKey, usage: m.doctorKeyUsage }
  },
  'token inspect': async () => {
    const m = await import('./commands/token-inspect.ts')
    return { run: m.runTokenInspect, usage: m.tokenInspectUsage }
  },
  agent: async () => {
    const m = await import('./commands/agent/agent.ts')
    return { run: m.runAgent, usage: m.agentUsage }
  },
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
  // A one-word command (`up`, `exchange`) takes every argument after it; a command group
  // (`keys rotate`) takes those after its second word.
  const single = argv[0] as string
  const name = Object.hasOwn(commands, single) ? single : `${single} ${argv[1] ?? ''}`.trim()
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (load === undefined) {
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
  const command = await load()
  try {
    return await command.run(argv.slice(name.split(' ').length), output, stdin)
  } catch (error) {
    if (isTesseraError(error)) {
      output.err(`tessera ${name}: ${error.code}: ${error.message}`)
      if (error.code === 'invalid_options') output.err(command.usage)
      // A configuration error lists every problem; the message may name only the first.
      if (error.code === 'invalid_config' && (error.problems?.length ?? 0) > 1)
        for (const p of error.problems ?? []) output.err(`  ${p.path}: ${p.message}`)
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
