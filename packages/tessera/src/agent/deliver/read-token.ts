import { type Clock, decodeJwt, quote, TesseraError } from '@tessera/verify'
import { readBoundedFile } from '../read-bounded-file.ts'

/** A token the agent delivered, read back for a delivery that prints it or exchanges it. */
export interface DeliveredToken {
  readonly token: string
  /** `exp`, epoch seconds. */
  readonly expiresAt: number
  readonly subject?: string
}

const maxTokenBytes = 16 * 1024

/**
 * Reads the token the agent keeps in `file` (its writes are atomic, so the file is whole or
 * absent) and checks that it is a JWT that has not expired at `clock()`.
 * @throws {TesseraError} `missing_credentials` when the file is absent or empty, `too_large`
 * or `malformed` when it holds no JWT, `expired` when the agent has not refreshed it in time
 */
export async function readDeliveredToken(file: string, clock: Clock): Promise<DeliveredToken> {
  const read = await readBoundedFile(file, maxTokenBytes)
  if ('errno' in read) {
    throw new TesseraError({
      code: 'missing_credentials',
      check: 'delivery',
      message: `the agent's token file ${quote(file)} cannot be read (${read.errno}): is \`tessera agent run\` running with this configuration?`,
    })
  }
  if ('refused' in read) {
    throw new TesseraError({
      code: 'too_large',
      check: 'delivery',
      message: `the token file ${quote(file)} is not read: ${read.refused}`,
      expected: `a regular file of at most ${maxTokenBytes} bytes`,
      actual: read.refused,
    })
  }
  const token = read.bytes.toString('utf8')
  if (token === '') {
    throw new TesseraError({
      code: 'missing_credentials',
      check: 'delivery',
      message: `the agent's token file ${quote(file)} is empty`,
    })
  }
  const { claims } = decodeJwt(token, maxTokenBytes)
  const now = clock()
  if (typeof claims.exp !== 'number' || claims.exp <= now) {
    throw new TesseraError({
      code: 'expired',
      check: 'delivery',
      message: `the token in ${quote(file)} ${typeof claims.exp === 'number' ? `expired at ${new Date(claims.exp * 1000).toISOString()}` : 'has no exp'}: the agent has not refreshed it (see \`tessera agent status\`)`,
      expected: `exp after ${now}`,
      actual: typeof claims.exp === 'number' ? String(claims.exp) : 'missing',
    })
  }
  return {
    token,
    expiresAt: claims.exp,
    ...(typeof claims.sub === 'string' ? { subject: claims.sub } : {}),
  }
}
