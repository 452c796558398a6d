import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { duration, isoTime } from './time-format.ts'

describe('isoTime', () => {
  it('renders whole epoch seconds as an RFC 3339 UTC timestamp without milliseconds', () => {
    assert.equal(isoTime(0), '1970-01-01T00:00:00Z')
    assert.equal(isoTime(1_800_000_000), '2027-01-15T08:00:00Z')
  })

  it('keeps the milliseconds of fractional seconds', () => {
    assert.equal(isoTime(1.5), '1970-01-01T00:00:01.500Z')
  })

  it('renders times before 1970', () => {
    assert.equal(isoTime(-86_400), '1969-12-31T00:00:00Z')
  })

  it('renders the largest representable date', () => {
    assert.equal(isoTime(8.64e12), '+275760-09-13T00:00:00Z')
  })

  it('falls back to the number for values a Date cannot hold', () => {
    assert.equal(isoTime(8.64e12 + 1), '8640000000001')
    assert.equal(isoTime(-1e13), '-10000000000000')
    assert.equal(isoTime(Number.NaN), 'NaN')
    assert.equal(isoTime(Number.POSITIVE_INFINITY), 'Infinity')
  })
})

describe('duration', () => {
  it('renders under two minutes in seconds', () => {
    assert.equal(duration(0), '0 s')
    assert.equal(duration(60), '60 s')
    assert.equal(duration(119), '119 s')
  })

  it('rounds to whole seconds', () => {
    assert.equal(duration(1.4), '1 s')
    assert.equal(duration(119.6), '2 min')
  })

  it('renders longer durations in hours, minutes and seconds, leaving out zero parts', () => {
    assert.equal(duration(120), '2 min')
    assert.equal(duration(125), '2 min 5 s')
    assert.equal(duration(3600), '1 h')
    assert.equal(duration(3601), '1 h 1 s')
    assert.equal(duration(3661), '1 h 1 min 1 s')
    assert.equal(duration(90_000), '25 h')
  })

  it('renders negative durations by their magnitude', () => {
    assert.equal(duration(-90), '90 s')
    assert.equal(duration(-3600), '1 h')
  })
})
