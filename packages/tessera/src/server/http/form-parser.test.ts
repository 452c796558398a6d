import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TesseraError } from '@tessera/verify'
import { parseForm } from './form-parser.ts'

describe('parseForm', () => {
  it('parses a form, with + as a space and percent-escapes decoded', () => {
    const form = parseForm('grant_type=a%3Ab&scope=read+write&empty=')
    assert.equal(form.get('grant_type'), 'a:b')
    assert.equal(form.get('scope'), 'read write')
    assert.equal(form.get('empty'), '')
  })

  it('keeps repeated parameters, so the dialect can refuse them', () => {
    assert.deepEqual(parseForm('a=1&a=2').getAll('a'), ['1', '2'])
  })

  it('refuses a malformed percent-escape', () => {
    for (const body of ['a=%', 'a=%4', 'a=%zz', 'a=b%']) {
      assert.throws(
        () => parseForm(body),
        (error: unknown) =>
          error instanceof TesseraError &&
          error.code === 'invalid_request' &&
          error.message ===
            'form body has a malformed percent-escape: expected % followed by two hex digits',
        body,
      )
    }
  })

  it('refuses escapes that are not UTF-8', () => {
    for (const body of ['a=%ff%fe', 'a=%41%2F%c3', 'a=%3A&b=%E9', 'a=x&b=%80']) {
      assert.throws(
        () => parseForm(body),
        (error: unknown) =>
          error instanceof TesseraError &&
          error.code === 'invalid_request' &&
          error.message === 'form body has percent-escapes that are not valid UTF-8',
        body,
      )
    }
  })

  it('accepts escapes that are UTF-8, upper or lower case, next to ASCII ones', () => {
    assert.equal(parseForm('a=%c3%A9%3A%2f&b=%E2%82%AC').get('a'), 'é:/')
    assert.equal(parseForm('a=%c3%A9%3A%2f&b=%E2%82%AC').get('b'), '€')
  })
})
