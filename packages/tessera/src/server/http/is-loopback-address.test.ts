import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isLoopbackAddress } from './is-loopback-address.ts'

describe('isLoopbackAddress', () => {
  it('accepts 127.0.0.0/8, ::1 and IPv4-mapped loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '::FFFF:127.0.0.9'])
      assert.equal(isLoopbackAddress(a), true, a)
  })

  it('refuses every other address, a name and a missing address', () => {
    for (const a of ['10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', 'localhost', '', undefined])
      assert.equal(isLoopbackAddress(a), false, String(a))
  })
})
