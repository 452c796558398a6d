import { usageError } from './usage-error.ts'

/**
 * Parses a `--flag S` whole number of seconds; undefined when the flag is absent.
 * @throws {TesseraError} `invalid_options` for anything but digits, or more than a Date holds
 */
export function seconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,13}$/.test(value)) {
    throw usageError(
      `--${flag} must be a whole number of seconds, got ${JSON.stringify(value)}`,
      flag,
    )
  }
  return Number(value)
}
