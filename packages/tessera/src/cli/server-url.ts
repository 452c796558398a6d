import { quote } from '@tessera/verify'
import { usageError } from './usage-error.ts'

/** Where the client commands find a server when `--url` is not given: `tessera up`'s default. */
export const defaultServerUrl = 'http://127.0.0.1:8080'

/**
 * Checks `--url` (an http or https URL without query or fragment) and returns it without a
 * trailing slash, so endpoint paths can be appended.
 * @throws {TesseraError} `invalid_options`
 */
export function serverUrl(value: string | undefined, fallback?: string): string {
  const raw = value ?? fallback
  if (raw === undefined) throw usageError('--url is required: the Tessera server', 'url')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw usageError(`--url ${quote(raw)} is not a URL`, 'url')
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash)
    throw usageError(
      `--url ${quote(raw)} must be an http or https URL without query or fragment`,
      'url',
    )
  return raw.replace(/\/+$/, '')
}
