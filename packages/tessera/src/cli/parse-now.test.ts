import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTesseraError } from '@tessera/verify'
import { maxNowSeconds, parseNow } from './parse-now.ts'

const midnight2027 = 1_798_761_600 // 2027-01-01T00:00:00Z

function refusal(value: string, flag?: string): string {
  try {
    parseNow(value, flag)
  } catch (error) {
    assert.ok(isTesseraError(error))
    assert.equal(error.code, 'invalid_options')
    assert.equal(error.problems?.[0]?.path, flag ?? 'now')
    return error.message
  }
  assert.fail(`${JSON.stringify(value)} was accepted`)
}

describe('parseNow', () => {
  it('is undefined when the flag is absent', () => {
    assert.equal(parseNow(undefined), undefined)
  })

  it('reads all digits as UNIX seconds, up to the last second a Date holds', () => {
    assert.equal(parseNow('0'), 0)
    assert.equal(parseNow('1798761600'), midnight2027)
    assert.equal(parseNow('0001798761600'), midnight2027)
    assert.equal(parseNow(String(maxNowSeconds)), maxNowSeconds)
    assert.equal(new Date(maxNowSeconds * 1000).getTime(), maxNowSeconds * 1000)
    assert.match(refusal(String(maxNowSeconds + 1)), /is after the last date JavaScript can hold/)
    assert.match(refusal('99999999999999999999'), /is after the last date/)
  })

  it('reads an ISO 8601 date and time in UTC or with an offset as the same instant', () => {
    for (const value of [
      '2027-01-01T00:00:00Z',
      '2027-01-01T00:00Z',
      '2027-01-01T00:00:00.000Z',
      '2027-01-01T00:00:00.999999999Z',
      '2027-01-01t00:00:00z',
      '2027-01-01T02:00:00+02:00',
      '2026-12-31T19:30:00-04:30',
      '2027-01-01T00:00:00+00:00',
      '2027-01-01T00:00:00-00:00',
    ])
      assert.equal(parseNow(value), midnight2027, value)
  })

  it('drops fractions of a second, as the epoch-seconds clock does', () => {
    assert.equal(parseNow('2027-01-01T00:00:01.5Z'), midnight2027 + 1)
  })

  it('accepts every real day, including 29 February of a leap year', () => {
    assert.equal(parseNow('2028-02-29T12:00:00Z'), Date.parse('2028-02-29T12:00:00Z') / 1000)
    assert.equal(parseNow('2027-12-31T23:59:59Z'), midnight2027 + 365 * 86_400 - 1)
    assert.equal(parseNow('1970-01-01T00:00:00Z'), 0)
  })

  it('refuses a date and time without a timezone: local time differs between machines', () => {
    assert.match(
      refusal('2027-01-01T00:00:00'),
      /^--now must be UNIX seconds or an ISO 8601 date and time with a timezone \(1798761600 or 2027-01-01T00:00:00Z\); "2027-01-01T00:00:00" has no timezone: add Z for UTC/,
    )
    assert.match(refusal('2027-01-01 00:00:00'), /has no timezone/)
    assert.match(refusal('2027-01-01T00:00'), /has no timezone/)
  })

  it('says what to change for a date alone or a space instead of T', () => {
    assert.match(
      refusal('2027-01-01'),
      /"2027-01-01" is a date without a time: write 2027-01-01T00:00:00Z for midnight UTC/,
    )
    assert.match(refusal('2027-01-01 00:00:00Z'), /separates the date and the time with a space/)
  })

  it('refuses fields that Date.parse would roll over or guess at', () => {
    assert.match(refusal('2027-02-29T00:00:00Z'), /has day 29, but that month has 28 days/)
    assert.match(refusal('2027-04-31T00:00:00Z'), /has day 31, but that month has 30 days/)
    assert.match(refusal('2027-01-00T00:00:00Z'), /has day 0/)
    assert.match(refusal('2027-13-01T00:00:00Z'), /has month 13, not 1 to 12/)
    assert.match(refusal('2027-00-01T00:00:00Z'), /has month 0, not 1 to 12/)
    assert.match(refusal('2027-01-01T24:00:00Z'), /has hour 24, not 0 to 23/)
    assert.match(refusal('2027-01-01T00:60:00Z'), /has minute 60, not 0 to 59/)
    assert.match(refusal('2016-12-31T23:59:60Z'), /has second 60, not 0 to 59/)
    assert.match(
      refusal('2027-01-01T00:00:00+24:00'),
      /has the timezone offset \+24:00, beyond ±23:59/,
    )
    assert.match(refusal('2027-01-01T00:00:00-05:60'), /has the timezone offset -05:60/)
  })

  it('refuses the forms Date.parse accepts that are not ISO 8601 with a timezone', () => {
    for (const value of [
      'Fri, 01 Jan 2027 00:00:00 GMT',
      'January 1, 2027',
      '2027/01/01 00:00:00Z',
      '+002027-01-01T00:00:00Z',
      '2027-01-01T00:00:00+0200',
      '2027-01-01T00:00:00 Z',
      '2027-1-1T00:00:00Z',
      ' 1798761600',
      'now',
    ])
      assert.match(refusal(value), /is neither UNIX seconds nor an ISO 8601 date and time/, value)
  })

  it('refuses negative, fractional and empty UNIX seconds', () => {
    assert.match(refusal('-1'), /is not a whole, non-negative number of UNIX seconds/)
    assert.match(refusal('1798761600.5'), /is not a whole, non-negative number/)
    assert.match(refusal('+1798761600'), /is not a whole, non-negative number/)
    assert.match(refusal(''), /"" is empty/)
  })

  it('refuses an instant before the UNIX epoch, and two-digit years Date.UTC would remap', () => {
    assert.match(refusal('1969-12-31T23:59:59Z'), /is before the UNIX epoch/)
    assert.match(refusal('1970-01-01T00:30:00+01:00'), /is before the UNIX epoch/)
    assert.match(refusal('0099-01-01T00:00:00Z'), /is before the UNIX epoch/)
  })

  it('names the flag it was given', () => {
    assert.match(refusal('soon', 'at'), /^--at must be UNIX seconds/)
  })
})
