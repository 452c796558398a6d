import { usageError } from './usage-error.ts'

/** The last second a JavaScript Date can hold (ECMA-262 §21.4.1.22: ±8.64e15 ms). */
export const maxNowSeconds = 8_640_000_000_000

// RFC 3339 §5.6 date-time: the subset of ISO 8601 that names one instant without guessing.
// Seconds may be omitted (ISO 8601 extended format allows hh:mm); the offset may not, since a
// string without one is local time and would mean a different instant on every machine.
const dateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/

const beforeEpoch = 'is before the UNIX epoch (1970-01-01T00:00:00Z)'
const example = '1798761600 or 2027-01-01T00:00:00Z'

/**
 * Parses the `--now` flag of the doctor commands into epoch seconds: all digits are UNIX
 * seconds, anything else must be an ISO 8601 / RFC 3339 date and time with a timezone (`Z` or
 * `±hh:mm`). Undefined when the flag is absent, so the caller decides what "now" defaults to.
 * Each field is range-checked here rather than left to `Date.parse`, which rolls 2027-02-30 over
 * into March and reads a string without an offset as local time.
 * @throws {TesseraError} `invalid_options` naming the flag, the accepted forms and the value
 */
export function parseNow(value: string | undefined, flag = 'now'): number | undefined {
  if (value === undefined) return undefined
  if (/^\d+$/.test(value)) {
    if (Number(value) > maxNowSeconds)
      throw nowError(flag, value, `is after the last date JavaScript can hold (${maxNowSeconds})`)
    return Number(value)
  }
  const m = dateTime.exec(value)
  if (m === null) throw nowError(flag, value, describeShape(value))
  const field = (i: number): number => Number(m[i] ?? 0)
  const [year, month, day, hour, minute, second] = [
    field(1),
    field(2),
    field(3),
    field(4),
    field(5),
    field(6),
  ]
  // Date.UTC reads years 0–99 as 1900–1999, so early years are refused before it sees them.
  if (year < 1970) throw nowError(flag, value, beforeEpoch)
  const problem = fieldProblem(year, month, day, hour, minute, second)
  if (problem !== undefined) throw nowError(flag, value, problem)
  let offsetMinutes = 0
  if (m[8] === undefined) {
    const hours = Number(m[10])
    const minutes = Number(m[11])
    if (hours > 23 || minutes > 59)
      throw nowError(flag, value, `has the timezone offset ${m[9]}${m[10]}:${m[11]}, beyond ±23:59`)
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes)
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) / 1000
  const epoch = utc - offsetMinutes * 60
  if (epoch < 0) throw nowError(flag, value, beforeEpoch)
  return epoch
}

// Why the string is not one of the two forms, so the message says what to change.
function describeShape(value: string): string {
  if (value === '') return 'is empty'
  if (/^[+-]?\d+(?:\.\d*)?$/.test(value))
    return 'is not a whole, non-negative number of UNIX seconds'
  if (/^\d{4}-\d{2}-\d{2}$/.test(value))
    return `is a date without a time: write ${value}T00:00:00Z for midnight UTC`
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(value))
    return 'has no timezone: add Z for UTC or an offset such as +02:00 (local time would differ from machine to machine)'
  if (/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(value))
    return 'separates the date and the time with a space: use T'
  return 'is neither UNIX seconds nor an ISO 8601 date and time with a timezone'
}

function fieldProblem(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): string | undefined {
  if (month < 1 || month > 12) return `has month ${month}, not 1 to 12`
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (day < 1 || day > days) return `has day ${day}, but that month has ${days} days`
  if (hour > 23) return `has hour ${hour}, not 0 to 23`
  if (minute > 59) return `has minute ${minute}, not 0 to 59`
  // A leap second (:60) names no instant a Date can hold.
  if (second > 59) return `has second ${second}, not 0 to 59`
  return undefined
}

function nowError(flag: string, value: string, problem: string) {
  return usageError(
    `--${flag} must be UNIX seconds or an ISO 8601 date and time with a timezone (${example}); ${JSON.stringify(value)} ${problem}`,
    flag,
  )
}
