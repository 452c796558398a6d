import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renderServerError } from './server-error.ts'
import { memoryOutput } from './stream.ts'

function render(status: number, body: unknown): string[] {
  const output = memoryOutput()
  renderServerError('exchange', status, body, output)
  assert.deepEqual(output.stdout, [])
  return output.stderr
}

describe('renderServerError', () => {
  it('prints an RFC 6749 error with its Tessera explanation', () => {
    assert.deepEqual(
      render(400, {
        error: 'invalid_target',
        error_description: 'policy summary',
        code: 'target_not_allowed',
        hint: 'case',
        expected: ['https://a'],
        actual: 'https://A',
        policy: 'ci',
        correlation_id: 'c-1',
      }),
      [
        'tessera exchange: target_not_allowed: policy summary',
        '  hint:     case (the values are equal ignoring letter case (comparison is case-sensitive))',
        '  expected: ["https://a"]',
        '  actual:   "https://A"',
        '  policy:   ci',
        '  correlation id: c-1',
      ],
    )
  })

  it("prints Tessera's own error body, and an unknown hint without words", () => {
    assert.deepEqual(
      render(403, { code: 'policy_denied', message: 'm', hint: 'new_hint', correlationId: 'c-2' }),
      ['tessera exchange: policy_denied: m', '  hint:     new_hint', '  correlation id: c-2'],
    )
  })

  it('falls back to the OAuth error and then the status when fields are missing', () => {
    assert.deepEqual(render(400, { error: 'invalid_grant' }), [
      'tessera exchange: invalid_grant: the server answered HTTP 400',
    ])
    assert.deepEqual(render(502, 'gateway'), [
      'tessera exchange: http_502: the server answered HTTP 502',
    ])
  })
})
