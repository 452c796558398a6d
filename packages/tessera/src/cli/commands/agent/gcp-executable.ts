import { parseArgs } from 'node:util'
import { isTesseraError, systemClock } from '@tessera/verify'
import { loadAgentConfig } from '../../../agent/config.ts'
import { gcpExecutableResponse } from '../../../agent/deliver/gcp.ts'
import { readDeliveredToken } from '../../../agent/deliver/read-token.ts'
import { tokenEntryFor } from '../../../agent/deliver/token-entry.ts'
import { writeFileAtomic } from '../../../agent/write-file-atomic.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { usageError } from '../../usage-error.ts'

export const agentGcpExecutableUsage = `usage: tessera agent gcp-executable --config FILE [--audience PROVIDER]

Google's executable-sourced credentials (credential_source.executable, which
\`tessera agent gcp-config --executable\` writes): prints the token the agent keeps for
PROVIDER (default: $GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE, set by the library) as
{"version":1,"success":true,"token_type":…,"id_token":…,"expiration_time":…}, and into
$GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE when the configuration names one. A failure is the
error form {"version":1,"success":false,"code","message"} with exit status 0, the form the
library reports as ExecutableError with that code.`

/** Answers Google's executable-sourced credential protocol from the agent's token file. */
export async function runAgentGcpExecutable(
  argv: readonly string[],
  output: Output,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      audience: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentGcpExecutableUsage)
    return exitCodes.ok
  }
  if (values.config === undefined) throw usageError('--config is required', 'config')
  const audience = values.audience ?? process.env.GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE
  if (audience === undefined || audience === '') {
    throw usageError(
      '--audience is required outside google-auth-library (which sets GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE)',
      'audience',
    )
  }
  const config = await loadAgentConfig(values.config)
  const entry = tokenEntryFor(config, audience)
  try {
    const { token, expiresAt } = await readDeliveredToken(entry.file, systemClock)
    const response = gcpExecutableResponse({ token, expiresAt })
    const outputFile = process.env.GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE
    // The library reads a cached response from output_file before it runs the executable again.
    if (outputFile !== undefined && outputFile !== '') {
      await writeFileAtomic(outputFile, JSON.stringify(response))
    }
    output.out(JSON.stringify(response))
    return exitCodes.ok
  } catch (error) {
    if (!isTesseraError(error)) throw error
    // Nothing on stderr: the library appends it to stdout and the JSON would not parse.
    output.out(
      JSON.stringify(
        gcpExecutableResponse({ error: { code: error.code, message: error.message } }),
      ),
    )
    return exitCodes.ok
  }
}
