import { createHash } from 'node:crypto'
import { parseArgs } from 'node:util'
import { decodeJwt, maskSecrets } from '@tessera/verify'
import { exitCodes } from '../exit-codes.ts'
import type { Output } from '../output/stream.ts'
import { formatTime } from '../output/time.ts'
import { readTokenArgument } from '../read-input.ts'
import { usageError } from '../usage-error.ts'

export const tokenInspectUsage = `usage: tessera token inspect <TOKEN | @FILE | -> [--json]

Decodes a JWT WITHOUT verifying it: shows the header, the claims and the times. Nothing shown
here is trustworthy until \`tessera doctor token\` has verified the signature.`

const timeClaims = ['iat', 'nbf', 'exp'] as const

/** Decodes and prints a token's header and claims, saying loudly that nothing was verified. */
export async function runTokenInspect(
  argv: readonly string[],
  output: Output,
  stdin?: NodeJS.ReadableStream,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) {
    output.out(tokenInspectUsage)
    return exitCodes.ok
  }
  if (positionals.length > 1)
    throw usageError(`expected one token argument, got ${positionals.length}`, 'token')
  const token = await readTokenArgument(positionals[0], stdin)
  // Inspect is for any token that reaches a human, so it accepts up to 1 MiB.
  const jwt = decodeJwt(token, 1024 * 1024)
  const signature = {
    bytes: jwt.signature.length,
    sha256: createHash('sha256').update(jwt.signature).digest('hex').slice(0, 16),
  }
  if (values.json) {
    output.out(
      JSON.stringify({ verified: false, header: jwt.header, claims: jwt.claims, signature }),
    )
    return exitCodes.ok
  }
  output.out(
    output.style(
      'yellow',
      'NOT VERIFIED: decoded only; the signature and claims have not been checked',
    ),
  )
  // A token nested in a claim (an actor token, an upstream ID token) is still a token.
  output.out(`header: ${maskSecrets(JSON.stringify(jwt.header, null, 2))}`)
  output.out(`claims: ${maskSecrets(JSON.stringify(jwt.claims, null, 2))}`)
  for (const name of timeClaims) {
    const value = jwt.claims[name]
    if (typeof value === 'number') output.out(`${name}: ${formatTime(value)} (${value})`)
  }
  output.out(`signature: ${signature.bytes} bytes, sha256 ${signature.sha256}… (not shown)`)
  return exitCodes.ok
}
