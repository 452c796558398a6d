import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { compileGlob } from './glob.ts'
import { detectGlobHint } from './glob-hint.ts'

describe('detectGlobHint', () => {
  it('uses detectHint for a literal pattern', () => {
    assert.equal(
      detectGlobHint(compileGlob('https://a.example'), 'https://a.example/')?.id,
      'trailing_slash',
    )
  })

  it('hints whitespace when the trimmed value matches', () => {
    assert.deepEqual(detectGlobHint(compileGlob('repo:*'), 'repo:x\n'), {
      id: 'whitespace',
      words: 'the value matches once its surrounding whitespace is removed',
    })
  })

  it('hints a trailing slash removed or added', () => {
    assert.deepEqual(detectGlobHint(compileGlob('https://*.example'), 'https://a.example/'), {
      id: 'trailing_slash',
      words: 'the value matches without its trailing slash',
    })
    assert.deepEqual(detectGlobHint(compileGlob('https://*.example/'), 'https://a.example'), {
      id: 'trailing_slash',
      words: 'the value matches with a trailing slash added',
    })
  })

  it('hints letter case when the value matches ignoring case', () => {
    assert.equal(detectGlobHint(compileGlob('repo:acme/*'), 'repo:ACME/app')?.id, 'case')
  })

  it('gives no hint for an unrelated value', () => {
    assert.equal(detectGlobHint(compileGlob('repo:acme/*'), 'repo:other/app'), undefined)
  })
})
