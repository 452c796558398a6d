import { readFile } from 'node:fs/promises'
import { type Clock, decodeJwt, quote, TesseraError } from '@tessera/verify'

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
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    throw new TesseraError({
      code: 'missing_credentials',
      check: 'delivery',
      message: `the agent's token file ${quote(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): is \`tessera agent run\` running with this configuration?`,
      cause: error,
    })
  }
  const token = bytes.toString('utf8')
  if (token === '') {
    throw new TesseraError({
      code: 'missing_credentials',
      check: 'delivery',
      message: `the agent's token file ${quote(file)} is empty`,
    })
  }
  if (bytes.byteLength > maxTokenBytes) {
    throw new TesseraError({
      code: 'too_large',
      check: 'delivery',
      message: `the token file ${quote(file)} holds ${bytes.byteLength} bytes, more than a token (${maxTokenBytes})`,
      expected: `at most ${maxTokenBytes} bytes`,
      actual: `${bytes.byteLength} bytes`,
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
