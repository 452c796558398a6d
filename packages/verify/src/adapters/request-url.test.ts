import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Problem } from '../explain/tessera-error.ts'
import { checkPublicOrigin, requestUrl } from './request-url.ts'

describe('requestUrl', () => {
  it('joins protocol, host and path, or publicOrigin and path', () => {
    assert.equal(
      requestUrl(undefined, 'http', '127.0.0.1:8080', '/a?b=1'),
      'http://127.0.0.1:8080/a?b=1',
    )
    assert.equal(
      requestUrl('https://api.example.com', 'http', 'internal:80', '/a'),
      'https://api.example.com/a',
    )
    assert.equal(requestUrl(undefined, 'https', undefined, '*'), 'https:///*')
  })
})

describe('checkPublicOrigin', () => {
  const check = (value: unknown) => {
    const problems: Problem[] = []
    return { origin: checkPublicOrigin(value, problems), problems: problems.map((p) => p.message) }
  }
  it('accepts an origin and normalises it', () => {
    assert.deepEqual(check('https://API.example.com:443/'), {
      origin: 'https://api.example.com',
      problems: [],
    })
    assert.deepEqual(check(undefined), { origin: undefined, problems: [] })
  })
  it('lists what is wrong', () => {
    assert.match(check(5).problems[0] as string, /must be a string/)
    assert.match(check('api.example.com').problems[0] as string, /absolute URL/)
    assert.match(check('ftp://x').problems[0] as string, /https: or http:/)
    assert.match(check('https://u:p@x').problems[0] as string, /credentials/)
    assert.match(check('https://x/path').problems[0] as string, /origin only/)
    assert.match(check('https://x/?q').problems[0] as string, /origin only/)
  })
})
