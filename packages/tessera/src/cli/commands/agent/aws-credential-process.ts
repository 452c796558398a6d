import { parseArgs } from 'node:util'
import { isTesseraError, systemClock } from '@tessera/verify'
import { loadAgentConfig } from '../../../agent/config.ts'
import { awsCredentialProcess, awsDefaultAudience } from '../../../agent/deliver/aws.ts'
import { readDeliveredToken } from '../../../agent/deliver/read-token.ts'
import { tokenEntryFor } from '../../../agent/deliver/token-entry.ts'
import { exitCodes } from '../../exit-codes.ts'
import type { Output } from '../../output/stream.ts'
import { seconds } from '../../seconds.ts'
import { usageError } from '../../usage-error.ts'

export const agentAwsCredentialProcessUsage = `usage: tessera agent aws-credential-process --config FILE --role-arn ARN [--session-name NAME]
       [--audience AUD] [--endpoint URL] [--duration S]

For credential_process in ~/.aws/config: reads the token the agent keeps for AUD (default
${awsDefaultAudience}), calls AssumeRoleWithWebIdentity at URL (default: the agent's server,
Tessera's AWS dialect) and prints {"Version":1,"AccessKeyId",…,"Expiration"} on stdout. On a
refusal it prints STS's code and Tessera's explanation on stderr and exits 1.`

/** Prints `credential_process` JSON after exchanging the agent's token at STS. */
export async function runAgentAwsCredentialProcess(
  argv: readonly string[],
  output: Output,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      config: { type: 'string', short: 'c' },
      'role-arn': { type: 'string' },
      'session-name': { type: 'string' },
      audience: { type: 'string' },
      endpoint: { type: 'string' },
      duration: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(agentAwsCredentialProcessUsage)
    return exitCodes.ok
  }
  if (values.config === undefined) throw usageError('--config is required', 'config')
  const roleArn = values['role-arn']
  if (roleArn === undefined)
    throw usageError('--role-arn is required: the role to assume', 'role-arn')
  const durationSeconds = seconds('duration', values.duration)
  const config = await loadAgentConfig(values.config)
  const entry = tokenEntryFor(config, values.audience ?? awsDefaultAudience)
  try {
    const { token } = await readDeliveredToken(entry.file, systemClock)
    const credentials = await awsCredentialProcess({
      endpoint: values.endpoint ?? config.server,
      roleArn,
      // STS's pattern [\w+=,.@-]{2,64}; the time tells sessions apart in CloudTrail.
      sessionName: values['session-name'] ?? `tessera-agent-${systemClock()}`,
      token,
      ...(durationSeconds === undefined ? {} : { durationSeconds }),
      timeoutMs: config.refresh.timeoutSeconds * 1000,
    })
    output.out(JSON.stringify(credentials))
    return exitCodes.ok
  } catch (error) {
    if (!isTesseraError(error)) throw error
    output.err(`tessera agent aws-credential-process: ${error.code}: ${error.message}`)
    if (error.hint !== undefined) output.err(`  hint: ${error.hint}`)
    return exitCodes.rejected
  }
}
