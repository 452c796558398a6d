import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { describe, it } from 'node:test'
import { correlationIdFor, newCorrelationId } from './correlation-id.ts'

const request = (headers: Record<string, string | string[]>) =>
  ({ headers }) as unknown as IncomingMessage
// Version 7 where Node has randomUUIDv7 (24.16+), else 4.
const version = typeof crypto.randomUUIDv7 === 'function' ? '7' : '4'
const uuid = new RegExp(
  `^[0-9a-f]{8}-[0-9a-f]{4}-${version}[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
)

describe('correlationIdFor', () => {
  it('takes over a safe x-request-id of up to 64 characters', () => {
    assert.equal(correlationIdFor(request({ 'x-request-id': 'ci-run_42.7' })), 'ci-run_42.7')
    const longest = 'a'.repeat(64)
    assert.equal(correlationIdFor(request({ 'x-request-id': longest })), longest)
  })

  it('generates a UUID when the header is absent, too long, or holds other characters', () => {
    for (const value of [undefined, '', 'a'.repeat(65), 'has space', 'quote"', 'new\nline', 'é']) {
      const headers = value === undefined ? {} : { 'x-request-id': value }
      assert.match(correlationIdFor(request(headers)), uuid, JSON.stringify(value))
    }
  })

  it('generates a UUID for a repeated header', () => {
    assert.match(correlationIdFor(request({ 'x-request-id': ['a', 'b'] })), uuid)
  })

  it('generates time-ordered ids where Node can (UUIDv7): their text sorts by time', (t) => {
    if (version !== '7') return t.skip('this Node has no randomUUIDv7')
    // The first 48 bits are the Unix time in milliseconds.
    const millis = (id: string) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)
    const before = Date.now()
    const id = newCorrelationId()
    assert.ok(millis(id) >= before && millis(id) <= Date.now())
    const ids = Array.from({ length: 100 }, () => newCorrelationId())
    for (const [i, later] of ids.slice(1).entries()) {
      assert.ok(millis(later) >= millis(ids[i] as string), 'ids never go back in time')
    }
  })
})
