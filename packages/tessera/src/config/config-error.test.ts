import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { invalidConfig } from './config-error.ts'

describe('invalidConfig', () => {
  it('lists every problem in the message, with its location when known', () => {
    const problems = [
      { path: '', message: 'yaml syntax error at line 1, column 1: x' },
      { path: '/server/listen', message: 'must be host:port' },
      { path: '/store/kind', message: 'must be one of "sqlite", "memory"' },
    ]
    const error = invalidConfig('tessera.yaml', problems, (path) =>
      path === '/server/listen' ? { line: 2, column: 11 } : undefined,
    )
    assert.equal(error.code, 'invalid_config')
    assert.equal(error.check, 'config')
    assert.deepEqual(error.problems, problems)
    assert.equal(
      error.message,
      [
        'tessera.yaml is invalid (3 problems):',
        '  (document): yaml syntax error at line 1, column 1: x',
        '  /server/listen (line 2, column 11): must be host:port',
        '  /store/kind: must be one of "sqlite", "memory"',
      ].join('\n'),
    )
    assert.equal(
      invalidConfig('x', [problems[1] as (typeof problems)[number]]).message,
      'x is invalid (1 problem):\n  /server/listen: must be host:port',
    )
  })
})
