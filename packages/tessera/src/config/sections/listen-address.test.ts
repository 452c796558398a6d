import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseListenAddress } from './listen-address.ts'

describe('parseListenAddress', () => {
  it('parses an IPv4 address, a host name and port 0', () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 })
    assert.deepEqual(parseListenAddress('localhost:443'), { host: 'localhost', port: 443 })
    assert.deepEqual(parseListenAddress('tessera.internal:0'), {
      host: 'tessera.internal',
      port: 0,
    })
  })

  it('parses a bracketed IPv6 address and returns the host without brackets', () => {
    assert.deepEqual(parseListenAddress('[::1]:8080'), { host: '::1', port: 8080 })
    assert.deepEqual(parseListenAddress('[::]:65535'), { host: '::', port: 65535 })
  })

  it('asks for brackets around an IPv6 address', () => {
    assert.deepEqual(parseListenAddress('::1:8080'), {
      problem: 'an IPv6 address needs brackets: write "[::1]:8080"',
    })
  })

  it('refuses a bracketed value that is not IPv6', () => {
    assert.deepEqual(parseListenAddress('[127.0.0.1]:80'), {
      problem: '"127.0.0.1" is not an IPv6 address',
    })
  })

  it('asks for a host when only a port is given', () => {
    assert.deepEqual(parseListenAddress('8080'), {
      problem:
        'must be host:port, not only a port: write "127.0.0.1:8080" (loopback) or "0.0.0.0:8080" (every interface)',
    })
    assert.deepEqual(parseListenAddress(':8080'), {
      problem:
        'needs a host before ":8080": write "127.0.0.1:8080" (loopback) or "0.0.0.0:8080" (every interface)',
    })
  })

  it('refuses a value without a port, with a stray colon, or with a bad host', () => {
    assert.deepEqual(parseListenAddress('localhost'), {
      problem: 'must be host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"',
    })
    assert.deepEqual(parseListenAddress('a:b:c'), {
      problem: 'must be host:port, e.g. "127.0.0.1:8080" or "[::1]:8080"',
    })
    assert.deepEqual(parseListenAddress('bad_host:80'), {
      problem: '"bad_host" is not an IP address or host name',
    })
  })

  it('refuses a port that is not a whole number from 0 to 65535', () => {
    for (const port of ['65536', 'http', '', '-1', '123456']) {
      assert.deepEqual(parseListenAddress(`127.0.0.1:${port}`), {
        problem: `port ${JSON.stringify(port)} must be a whole number from 0 to 65535`,
      })
    }
  })
})
