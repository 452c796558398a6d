import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { defaultServerUrl, serverUrl } from './server-url.ts'

const refuses = (value: string, message: string) =>
  assert.throws(
    () => serverUrl(value),
    (e: unknown) =>
      e instanceof TesseraError && e.code === 'invalid_options' && e.message === message,
  )

describe('serverUrl', () => {
  it('returns the URL without trailing slashes, or the fallback', () => {
    assert.equal(
      serverUrl('https://tessera.example.org/base//'),
      'https://tessera.example.org/base',
    )
    assert.equal(serverUrl(undefined, defaultServerUrl), 'http://127.0.0.1:8080')
  })

  it('refuses a missing URL, a non-URL, another scheme, a query or a fragment', () => {
    assert.throws(() => serverUrl(undefined), /--url is required/)
    refuses('not a url', '--url "not a url" is not a URL')
    for (const value of ['ftp://x', 'http://x/?a=1', 'http://x/#f'])
      refuses(
        value,
        `--url ${JSON.stringify(value)} must be an http or https URL without query or fragment`,
      )
  })
})
