import { parseArgs } from 'node:util'
import { quote, systemClock } from '@tessera/verify'
import { createJoinToken, isSpiffeId, joinTokenTtlBounds } from '../../issuer/index.ts'
import { exitCodes } from '../exit-codes.ts'
import { openConfiguredStore } from '../open-store.ts'
import type { Output } from '../output/stream.ts'
import { formatTime } from '../output/time.ts'
import { seconds } from '../seconds.ts'
import { usageError } from '../usage-error.ts'

export const joinTokenCreateUsage = `usage: tessera join-token create --spiffe-id ID [--ttl S] [--config FILE] [--data-dir DIR]

Creates a one-time join token for a workload: it exchanges the token once, at
POST /v1/identity/token, for an identity token whose sub is ID. The token is printed once, on
standard output; only its SHA-256 is stored. Default --ttl 600 (at most 86400).`

/** Default lifetime of a join token, seconds: long enough to hand it to a workload by hand. */
export const defaultJoinTokenTtlSeconds = 600

/** Creates a join token in the server's store and prints it. */
export async function runJoinTokenCreate(argv: readonly string[], output: Output): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      'spiffe-id': { type: 'string' },
      ttl: { type: 'string' },
      config: { type: 'string', short: 'c' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(joinTokenCreateUsage)
    return exitCodes.ok
  }
  const spiffeId = values['spiffe-id']
  if (spiffeId === undefined)
    throw usageError('--spiffe-id is required: the workload the token attests', 'spiffe-id')
  const ttlSeconds = seconds('ttl', values.ttl) ?? defaultJoinTokenTtlSeconds
  const { min, max } = joinTokenTtlBounds
  if (ttlSeconds < min || ttlSeconds > max)
    throw usageError(`--ttl must be from ${min} to ${max} seconds`, 'ttl')

  const { config, stores } = await openConfiguredStore({
    config: values.config,
    dataDir: values['data-dir'],
  })
  try {
    const { trustDomain } = config.issuer
    if (!isSpiffeId(spiffeId, trustDomain)) {
      throw usageError(
        `--spiffe-id ${quote(spiffeId)} is not a SPIFFE ID in trust domain ${quote(trustDomain)}: expected spiffe://${trustDomain}/PATH`,
        'spiffe-id',
      )
    }
    const created = await createJoinToken({
      store: stores.joinTokens,
      spiffeId,
      ttlSeconds,
      clock: systemClock,
      trustDomain,
    })
    // The one place the CLI prints a secret, on purpose: the token exists nowhere else (the
    // store keeps its SHA-256), so this is the only chance to hand it to the workload.
    output.out(created.token)
    output.err(`join token for ${spiffeId}, single use, expires ${formatTime(created.expiresAt)}`)
  } finally {
    await stores.close()
  }
  return exitCodes.ok
}
