import { TesseraError } from '@tessera/verify'

/** A usage mistake on the command line: reported with exit status 2, nothing checked. */
export function usageError(message: string, path = ''): TesseraError {
  return new TesseraError({
    code: 'invalid_options',
    check: 'usage',
    message,
    problems: [{ path, message }],
  })
}
