import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { describe, it } from 'node:test'
import { correlationIdFor } from './correlation-id.ts'

const request = (headers: Record<string, string | string[]>) =>
  ({ headers }) as unknown as IncomingMessage
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

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
})
