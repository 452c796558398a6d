import { TesseraError } from '@tessera/verify'

/**
 * The error of creating a join token whose hash is already stored. A repeated hash means a
 * repeated secret; every store refuses it so that one secret never attests twice.
 */
export function duplicateJoinToken(cause?: unknown): TesseraError {
  return new TesseraError({
    code: 'internal_error',
    message: 'a join token with the same hash already exists: refusing to store it twice',
    ...(cause === undefined ? {} : { cause }),
  })
}
