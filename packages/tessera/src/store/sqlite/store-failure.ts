import { TesseraError } from '@tessera/verify'

/**
 * Wraps a SQLite failure (locked past the busy timeout, disk full, corrupt file, closed
 * database) as `internal_error`: opaque to remote callers, with the driver's error kept as
 * `cause` for the log.
 */
export function storeFailure(action: string, cause: unknown): TesseraError {
  if (cause instanceof TesseraError) return cause
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new TesseraError({
    code: 'internal_error',
    message: `the SQLite store could not ${action}: ${detail}`,
    cause,
  })
}
