import { parseArgs } from 'node:util'
import { exitCodes } from '../exit-codes.ts'
import { isConnectionFailure, requestJson } from '../http-client.ts'
import { renderServerError } from '../output/server-error.ts'
import type { Output } from '../output/stream.ts'
import { readTokenArgument } from '../read-input.ts'
import { seconds } from '../seconds.ts'
import { serverUrl } from '../server-url.ts'
import { usageError } from '../usage-error.ts'

export const tokenMintUsage = `usage: tessera token mint --url URL (--join-token T | --token T|@FILE|-) --audience AUD [--ttl S]

Asks a running Tessera for a workload identity token (POST /v1/identity/token), attesting with
a one-time join token or an upstream OIDC token, and prints only the token, so it can be piped.
Exit status: 0 minted, 1 refused by the server or unreachable, 2 usage error.`

/** Mints a workload identity token from a running server and prints it. */
export async function runTokenMint(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      url: { type: 'string' },
      'join-token': { type: 'string' },
      token: { type: 'string' },
      audience: { type: 'string' },
      ttl: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(tokenMintUsage)
    return exitCodes.ok
  }
  const url = serverUrl(values.url)
  if (values['join-token'] !== undefined && values.token !== undefined)
    throw usageError('give either --join-token or --token, not both', 'join-token')
  if (values['join-token'] === undefined && values.token === undefined)
    throw usageError(
      '--join-token or --token is required: how the workload proves who it is',
      'join-token',
    )
  if (values.audience === undefined)
    throw usageError('--audience is required: who the identity token is for', 'audience')
  const ttlSeconds = seconds('ttl', values.ttl)
  const attestation =
    values['join-token'] !== undefined
      ? { joinToken: await readTokenArgument(values['join-token'], stdin) }
      : { token: await readTokenArgument(values.token, stdin) }

  try {
    const response = await requestJson(`${url}/v1/identity/token`, {
      json: {
        ...attestation,
        audience: values.audience,
        ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
      },
    })
    const token = (response.body as { token?: unknown } | null)?.token
    if (response.status !== 200 || typeof token !== 'string') {
      renderServerError('token mint', response.status, response.body, output)
      return exitCodes.rejected
    }
    output.out(token)
    return exitCodes.ok
  } catch (error) {
    if (!isConnectionFailure(error)) throw error
    output.err(`tessera token mint: cannot mint: ${error.message}`)
    return exitCodes.rejected
  }
}
