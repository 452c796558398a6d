import { findClosest, quote, TesseraError } from '@tessera/verify'
import type { AgentConfig, AgentTokenConfig } from '../config.ts'

/**
 * The configured token for `audience`: a delivery reads the file the agent keeps for it.
 * @throws {TesseraError} `invalid_options` naming the configured audiences (and the closest)
 */
export function tokenEntryFor(config: AgentConfig, audience: string): AgentTokenConfig {
  const entry = config.tokens.find((t) => t.audience === audience)
  if (entry !== undefined) return entry
  const audiences = config.tokens.map((t) => t.audience)
  const closest = findClosest(audiences, [audience])
  throw new TesseraError({
    code: 'invalid_options',
    message: `${config.source} has no token for audience ${quote(audience)}: it has ${audiences.map((a) => quote(a)).join(', ')}${closest === undefined ? '' : `; the closest is ${quote(closest.expected)}${closest.hint === undefined ? '' : ` (${closest.hint.words})`}`}`,
    problems: [{ path: 'tokens', message: `no entry with audience ${quote(audience)}` }],
    ...(closest?.hint === undefined ? {} : { hint: closest.hint.id }),
  })
}
